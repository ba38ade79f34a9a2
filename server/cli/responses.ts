import { z } from 'zod';

// The CLI reads the API's own contract; only "no content" is its own.
export {
  alertList,
  type BrakeView,
  brakeView,
  eventPage,
  pairList,
  type StatusView,
  statusView,
} from '../contract/fleet.ts';

/** DELETE answers 204 with no body */
export const noContent = z.null();
