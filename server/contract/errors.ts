import { z } from 'zod';

/** The one error body every route answers with (REST and WebSocket close reasons reuse `code`). */
export const errorBody = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;
