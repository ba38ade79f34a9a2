/** "12:03:10" (UTC) or "12:03:10.250" when the milliseconds matter: how explanations print instants. */
export function clockTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(11, 19) : iso.slice(11, 23);
}

export { formatDuration } from '../contract/thresholds.ts';
