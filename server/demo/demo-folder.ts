import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The demo's folder: the SQLite file, the agents' configs, state and logs,
 * hooks.log, and demo.json — who is running (pids) so that a second command
 * (`restart-agent`) and a second start can find them.
 */

export const DEMO_NODES = ['db-1', 'db-2'] as const;
export type DemoNode = (typeof DEMO_NODES)[number];

export const isDemoNode = (name: string): name is DemoNode => (DEMO_NODES as readonly string[]).includes(name);

export function demoPaths(dir: string) {
  return {
    dir,
    stateFile: join(dir, 'demo.json'),
    hooksLog: join(dir, 'hooks.log'),
    /** an admin API token for the CLI, written at start (mode 0600) */
    cliToken: join(dir, 'cli-token'),
    serverLog: join(dir, 'server.log'),
    agentConfig: (node: string) => join(dir, `${node}.agent.json`),
    agentLog: (node: string) => join(dir, `${node}.agent.log`),
    agentStateDir: (node: string) => join(dir, `${node}-state`),
    /** exists → the node's critical component fails (a switch for experiments) */
    sickFile: (node: string) => join(dir, `${node}.sick`),
  };
}
export type DemoPaths = ReturnType<typeof demoPaths>;

export const demoState = z.object({
  /** the `npm run demo` process (server and supervisor) */
  pid: z.number().int(),
  url: z.string(),
  startedAt: z.string(),
  pair: z.string(),
  agents: z.record(z.string(), z.object({ pid: z.number().int().nullable(), config: z.string(), log: z.string() })),
});
export type DemoState = z.infer<typeof demoState>;

export function readDemoState(paths: DemoPaths): DemoState | null {
  if (!existsSync(paths.stateFile)) return null;
  try {
    const parsed = demoState.safeParse(JSON.parse(readFileSync(paths.stateFile, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whole file or nothing: `restart-agent` may read it at any moment. */
export function writeDemoState(paths: DemoPaths, state: DemoState): void {
  const temp = `${paths.stateFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, paths.stateFile);
}

export class DemoFolderError extends Error {}

/**
 * Every start resets the folder: a fresh database and fresh agent state, so
 * the demo always begins at epoch 0 with db-1 active. It refuses a folder in
 * use by a running demo, and one that does not look like a demo folder.
 * Leftover agents of a demo that died without cleaning up are stopped first.
 */
export async function resetDemoFolder(
  paths: DemoPaths,
  processes: {
    isRunning: (pid: number, marker: string) => boolean;
    stop: (pid: number, marker: string) => Promise<void>;
  },
  demoMarker: string,
): Promise<void> {
  if (existsSync(paths.dir)) {
    const state = readDemoState(paths);
    const entries = readdirSync(paths.dir);
    if (!state && entries.length > 0) {
      throw new DemoFolderError(
        `${paths.dir} is not empty and holds no demo.json: not a demo folder, so it is left alone (set SWITCHYARD_DEMO_DIR to another folder)`,
      );
    }
    if (state && state.pid !== process.pid && processes.isRunning(state.pid, demoMarker)) {
      throw new DemoFolderError(
        `a demo is already running in ${paths.dir} (pid ${state.pid}, ${state.url}); stop it with Ctrl-C in its terminal or: kill ${state.pid}`,
      );
    }
    for (const agent of Object.values(state?.agents ?? {})) {
      if (agent.pid !== null) await processes.stop(agent.pid, agent.config);
    }
    rmSync(paths.dir, { recursive: true, force: true });
  }
  mkdirSync(paths.dir, { recursive: true });
}
