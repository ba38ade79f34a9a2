import { describe, expect, it } from 'vitest';
import { lastLine, OutputTail, trimOutput } from '../../../agents/output.ts';

describe('trimOutput', () => {
  it('keeps short output as it is', () => {
    expect(trimOutput(Buffer.from('promoted\n'))).toBe('promoted\n');
    expect(trimOutput(Buffer.alloc(0))).toBe('');
  });

  it('keeps exactly 4 KB untouched', () => {
    const text = 'a'.repeat(4096);
    expect(trimOutput(Buffer.from(text))).toBe(text);
  });

  it('keeps the last 4 KB and says how much went', () => {
    const text = `${'x'.repeat(10_000)}THE END`;
    const trimmed = trimOutput(Buffer.from(text));
    expect(trimmed).toBe(`[... ${text.length - 4096} earlier bytes trimmed]\n${text.slice(-4096)}`);
    expect(trimmed.endsWith('THE END')).toBe(true);
  });

  it('never cuts a multi-byte character in half', () => {
    const text = `${'é'.repeat(3000)}`; // 2 bytes each: 6000 bytes
    const trimmed = trimOutput(Buffer.from(text));
    const tail = trimmed.split('\n')[1] ?? '';
    expect(tail).toMatch(/^é+$/);
    expect(tail).not.toContain('\uFFFD');
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(4096);
  });

  it('counts bytes dropped earlier by the tail', () => {
    expect(trimOutput(Buffer.from('end'), 5000)).toBe('[... 5000 earlier bytes trimmed]\nend');
  });

  it('honours another limit', () => {
    expect(trimOutput(Buffer.from('abcdef'), 0, 3)).toBe('[... 3 earlier bytes trimmed]\ndef');
  });
});

describe('OutputTail', () => {
  it('holds only the end of a long stream, and how much it dropped', () => {
    const tail = new OutputTail(100);
    for (let i = 0; i < 1000; i += 1) tail.push(Buffer.from(`line ${i}\n`));
    const kept = tail.buffer().toString();
    expect(kept.length).toBe(100);
    expect(kept.endsWith('line 999\n')).toBe(true);
    expect(tail.dropped + kept.length).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('').length);
  });
});

describe('lastLine', () => {
  it.each([
    ['ok\n', 'ok'],
    ['first\nsecond\n\n  \n', 'second'],
    ['', ''],
  ])('%j → %j', (text, line) => {
    expect(lastLine(text)).toBe(line);
  });

  it('shortens a long line', () => {
    expect(lastLine('z'.repeat(300), 10)).toBe('zzzzzzz...');
  });
});
