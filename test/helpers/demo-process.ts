import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../server/config.ts';
import { demoPaths, readDemoState } from '../../server/demo/demo-folder.ts';
import { isRunning } from '../../server/demo/processes.ts';
import { waitFor } from './wait.ts';

/** `npm run demo`'s entry, started the way its script does (`node --import tsx server/demo/main.ts`). */
export const demoEntry = join(packageRoot, 'server/demo/main.ts');

export interface DemoProcess {
  child: ChildProcess;
  output: () => string;
  waitForOutput: (text: string, timeoutMs?: number) => Promise<void>;
  /** resolves with the exit code when it exits by itself */
  exited: Promise<number | null>;
  /** signal it and wait for its exit code */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export function startDemo(dir: string): DemoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', demoEntry], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', SWITCHYARD_DEMO_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    waitForOutput: async (text, timeoutMs = 30_000) => {
      await waitFor(`"${text}" in the demo's output`, () => output.includes(text), { timeoutMs, everyMs: 50 });
    },
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `npm run demo -- <args>` to its exit, as the README says to type it. */
export function runNpmDemo(args: string[], dir: string, timeoutMs = 30_000) {
  const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
    cwd: packageRoot,
    env: { ...process.env, SWITCHYARD_DEMO_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run demo -- ${args.join(' ')} kept running for ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Safety net after a test: every agent demo.json names that still runs is killed, by PID. */
export function killLeftoverAgents(dir: string): number[] {
  const killed: number[] = [];
  for (const agent of Object.values(readDemoState(demoPaths(dir))?.agents ?? {})) {
    if (agent.pid !== null && isRunning(agent.pid, agent.config)) {
      process.kill(agent.pid, 'SIGKILL');
      killed.push(agent.pid);
    }
  }
  return killed;
}
