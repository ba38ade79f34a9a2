/**
 * Pure helpers for command output: hooks may print megabytes, the server
 * wants the end (where the error usually is), at most 4 KB of it.
 */

export const MAX_REPORTED_OUTPUT_BYTES = 4096;

/** Keeps only the last `keepBytes` of a stream, counting what it dropped. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(private readonly keepBytes = MAX_REPORTED_OUTPUT_BYTES * 2) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.kept += chunk.length;
    if (this.kept > this.keepBytes * 2) this.compact();
  }

  buffer(): Buffer {
    this.compact();
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const excess = Math.max(0, all.length - this.keepBytes);
    this.dropped += excess;
    const rest = all.subarray(excess);
    this.chunks = [rest];
    this.kept = rest.length;
  }
}

/**
 * The last `maxBytes` of the output as text, cut on a UTF-8 character
 * boundary, with a first line saying how much was left out.
 */
export function trimOutput(output: Buffer, droppedBefore = 0, maxBytes = MAX_REPORTED_OUTPUT_BYTES): string {
  if (output.length <= maxBytes && droppedBefore === 0) return output.toString('utf8');
  let start = Math.max(0, output.length - maxBytes);
  // Never start inside a multi-byte character (continuation bytes are 10xxxxxx).
  while (start < output.length && ((output[start] ?? 0) & 0xc0) === 0x80) start += 1;
  const omitted = droppedBefore + start;
  const tail = output.subarray(start).toString('utf8');
  return omitted > 0 ? `[... ${omitted} earlier bytes trimmed]\n${tail}` : tail;
}

/** The last non-empty line, for a component's short detail. */
export function lastLine(text: string, maxChars = 200): string {
  const lines = text.split('\n').map((line) => line.trim());
  const last = lines.reverse().find((line) => line.length > 0) ?? '';
  return last.length > maxChars ? `${last.slice(0, maxChars - 3)}...` : last;
}
