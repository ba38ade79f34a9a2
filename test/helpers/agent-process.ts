import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../server/config.ts';
import { waitFor } from './wait.ts';

/** The real agent, started through its `switchyard-agent` bin exactly as systemd would. */
export const agentBin = join(packageRoot, 'agents/bin/switchyard-agent.mjs');

export interface AgentProcess {
  child: ChildProcess;
  /** stdout lines parsed as JSON (the agent logs one object per line) */
  logs: Record<string, unknown>[];
  stdout: () => string;
  stderr: () => string;
  waitForLog: (
    predicate: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ) => Promise<Record<string, unknown>>;
  /** signal it and wait for the exit; resolves with the exit code (null when killed by the signal) */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function writeAgentConfig(dir: string, config: Record<string, unknown>, name = 'agent.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function startAgentProcess(configFile: string): AgentProcess {
  const child = spawn(process.execPath, [agentBin, '--config', configFile], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, unparsed: true });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLog: (predicate, timeoutMs = 10_000) =>
      waitFor('an agent log line', () => logs.find(predicate), { timeoutMs }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the agent expecting it to exit by itself (e.g. --check-config). */
export function runAgentToExit(args: string[], timeoutMs = 20_000) {
  const child = spawn(process.execPath, [agentBin, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent kept running for ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
