import type { DemoPaths } from './demo-folder.ts';

/**
 * Pure: the demo agents' configuration. Each checks one critical component
 * (healthy unless `<node>.sick` exists in the demo folder) every 250 ms, and
 * every hook appends "time node hook epoch=N" to hooks.log.
 */

export const AGENT_INTERVAL_MS = 250;

/** POSIX single quotes: the path goes into a /bin/sh command line. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** e.g. `2026-11-23T12:03:10Z db-2 promote epoch=1` appended to hooks.log */
export function hookCommand(hooksLog: string, node: string, hook: string): string {
  return `printf '%s %s %s epoch=%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${shellQuote(node)} ${shellQuote(hook)} "$SWITCHYARD_EPOCH" >> ${shellQuote(hooksLog)}`;
}

export function demoAgentConfig(paths: DemoPaths, node: string, serverUrl: string, token: string) {
  const hook = (name: string) => ({ command: hookCommand(paths.hooksLog, node, name), timeoutMs: 10_000 });
  return {
    server: serverUrl,
    token,
    intervalMs: AGENT_INTERVAL_MS,
    stateDir: paths.agentStateDir(node),
    components: [
      {
        name: 'service',
        kind: 'command',
        command: `test ! -e ${shellQuote(paths.sickFile(node))}`,
        timeoutMs: 200,
      },
    ],
    hooks: {
      prePromoteCheck: hook('prePromoteCheck'),
      promote: hook('promote'),
      demote: hook('demote'),
      fence: hook('fence'),
    },
    // Quick to come back after the server restarts; this is a laptop, not a fleet.
    reconnect: { baseMs: 200, maxMs: 2000, stableAfterMs: 5000 },
    logLevel: 'info',
  };
}
