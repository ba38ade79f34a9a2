import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../agents/run-command.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

// Gone, or a zombie nobody reaped yet (containers often have no init to reap orphans).
function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('runCommand', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  it('reports the exit code and the combined output', async () => {
    const outcome = await runCommand('echo out; echo err >&2; exit 3', { timeoutMs: 5000 });
    expect(outcome).toMatchObject({ exitCode: 3, timedOut: false });
    expect(outcome.output).toContain('out\n');
    expect(outcome.output).toContain('err\n');
  });

  it('runs an argument list without a shell, with the given environment', async () => {
    const outcome = await runCommand(['/bin/sh', '-c', 'printf "%s" "$SWITCHYARD_EPOCH"', 'ignored; rm -rf /'], {
      timeoutMs: 5000,
      env: { SWITCHYARD_EPOCH: '42' },
    });
    expect(outcome).toMatchObject({ exitCode: 0, output: '42' });
  });

  it('keeps only the last 4 KB of a chatty command', async () => {
    const outcome = await runCommand('seq 1 100000', { timeoutMs: 10_000 });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.output).toMatch(/^\[\.\.\. \d+ earlier bytes trimmed\]\n/);
    expect(outcome.output.endsWith('99999\n100000\n')).toBe(true);
    expect(Buffer.byteLength(outcome.output.split('\n').slice(1).join('\n'))).toBeLessThanOrEqual(4096);
  });

  it('kills the whole process group on timeout', async () => {
    const pidFile = join(temp.path, 'child.pid');
    const outcome = await runCommand(`sleep 30 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 300 });
    expect(outcome).toMatchObject({ exitCode: null, timedOut: true });
    expect(outcome.output).toContain('started');
    expect(outcome.output).toContain('[killed after 300 ms: time limit]');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the background child to die too', () => isDead(grandchild), { timeoutMs: 5000 });
  });

  it('kills a hook that ignores SIGTERM', async () => {
    const outcome = await runCommand(`trap '' TERM; echo stubborn; sleep 30`, { timeoutMs: 200 });
    expect(outcome).toMatchObject({ exitCode: null, timedOut: true });
    expect(outcome.output).toContain('stubborn');
  });

  it('says when the program does not exist', async () => {
    const outcome = await runCommand(['/nonexistent/promote-hook'], { timeoutMs: 1000 });
    expect(outcome).toMatchObject({ exitCode: null, timedOut: false });
    expect(outcome.output).toContain('cannot run /nonexistent/promote-hook: ENOENT');
  });
});
