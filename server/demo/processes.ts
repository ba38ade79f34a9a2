import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Processes the demo starts and stops, always by PID. Before signalling a PID
 * read from demo.json it checks that the process still is the one it started
 * (its command line holds a marker, e.g. the agent's config path): a PID can
 * be reused by an unrelated process after a reboot or a long pause.
 */

function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

/** A zombie has exited; only its parent has not collected it yet. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: it belongs to another user, so it is not ours either.
    return false;
  }
}

/** Alive and ours. Without /proc (macOS) the marker cannot be checked: existence has to do. */
export function isRunning(pid: number, marker: string): boolean {
  if (!exists(pid) || isZombie(pid)) return false;
  if (!existsSync('/proc/self/cmdline')) return true;
  const args = commandLine(pid);
  return args?.some((a) => a.includes(marker)) ?? false;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (or was not ours). */
export async function stopProcess(pid: number, marker: string, graceMs = 3000): Promise<void> {
  if (!isRunning(pid, marker)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid, marker)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(50);
  }
}

/** It may exit between the check and the signal: that is what we wanted anyway. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Starts `node <args>` in its own session with output appended to `logFile`,
 * so it outlives a short-lived parent (`restart-agent`) and a Ctrl-C in the
 * terminal reaches only the demo, which then stops it by PID.
 */
export function spawnDetached(args: string[], logFile: string, env: Record<string, string>) {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env });
    if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
    return child;
  } finally {
    closeSync(log);
  }
}
