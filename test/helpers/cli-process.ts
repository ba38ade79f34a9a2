import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../server/config.ts';

/** The real `switchyard` CLI, run through its bin exactly as `npx switchyard` does. */
export const cliBin = join(packageRoot, 'server/cli/bin/switchyard.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI to its exit. The environment is only PATH plus `env`, so a
 * SWITCHYARD_URL or SWITCHYARD_TOKEN of the machine never leaks into a test.
 */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<CliRun> {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchyard ${args.join(' ')} kept running for ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
