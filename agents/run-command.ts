import { spawn } from 'node:child_process';
import type { CommandLine } from './config.ts';
import { OutputTail, trimOutput } from './output.ts';

/**
 * Runs a hook or a check command in its own process group with a time limit.
 * On timeout the whole group gets SIGTERM, then SIGKILL after a grace: a
 * hook's children (pg_ctl's postgres, a shell pipeline) must not outlive it.
 */

export interface CommandOutcome {
  /** null when killed or never started */
  exitCode: number | null;
  timedOut: boolean;
  /** combined stdout and stderr, the last 4 KB */
  output: string;
  durationMs: number;
}

const KILL_GRACE_MS = 1000;
// After the process exits, how long its pipes may stay open (a daemonised grandchild holding them).
const DRAIN_MS = 500;

export function runCommand(
  command: CommandLine,
  options: { timeoutMs: number; env?: Record<string, string> },
): Promise<CommandOutcome> {
  const started = performance.now();
  const [file, args] =
    typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0] ?? '', command.slice(1)];
  const tail = new OutputTail();
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let exitCode: number | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (extra?: string) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (extra) tail.push(Buffer.from(extra));
      if (timedOut) tail.push(Buffer.from(`\n[killed after ${options.timeoutMs} ms: time limit]\n`));
      resolve({
        exitCode: timedOut ? null : exitCode,
        timedOut,
        output: trimOutput(tail.buffer(), tail.dropped),
        durationMs: Math.round(performance.now() - started),
      });
    };
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(`cannot run ${file}: ${error.code ?? error.message}\n`);
    });
    child.on('exit', (code) => {
      exitCode = code;
      timers.push(setTimeout(() => finish(), DRAIN_MS));
    });
    child.on('close', () => finish());
    timers.push(
      setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        // Not cancelled when the leader exits: what is left of the group must die too.
        setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
      }, options.timeoutMs),
    );
  });
}
