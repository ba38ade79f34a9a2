import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../agents/config.ts';
import type { EventView } from '../../../server/contract/pairs.ts';
import { demoAgentConfig, hookCommand, shellQuote } from '../../../server/demo/demo-agents.ts';
import {
  DemoFolderError,
  demoPaths,
  readDemoState,
  resetDemoFolder,
  writeDemoState,
} from '../../../server/demo/demo-folder.ts';
import { banner } from '../../../server/demo/instructions.ts';
import { eventLine, pairChanges } from '../../../server/demo/narrator.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('demo hooks', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('append "time node hook epoch=N" to hooks.log, even when the folder’s path has quotes and spaces', () => {
    const log = join(temp.path, "it's a folder", 'hooks.log');
    execFileSync('mkdir', ['-p', join(temp.path, "it's a folder")]);
    execFileSync('/bin/sh', ['-c', hookCommand(log, 'db-2', 'promote')], {
      env: { PATH: '/usr/bin:/bin', SWITCHYARD_EPOCH: '3' },
    });
    expect(readFileSync(log, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ db-2 promote epoch=3\n$/);
  });

  it('shellQuote survives single quotes', () => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote("a 'b' $c")}`]).toString()).toBe("a 'b' $c");
  });

  it('the agent config is one the real agent accepts', () => {
    const config = demoAgentConfig(demoPaths(temp.path), 'db-1', 'http://127.0.0.1:8080', 'sya_0123456789abcdefghij');
    const parsed = parseAgentConfig(config, temp.path);
    expect(parsed.ok, parsed.ok ? '' : parsed.message).toBe(true);
  });
});

describe('demo banner', () => {
  const input = {
    url: 'http://127.0.0.1:8080',
    defaultUrl: 'http://127.0.0.1:8080',
    dir: '/srv/sy/data/demo',
    hooksLog: '/srv/sy/data/demo/hooks.log',
    serverLog: '/srv/sy/data/demo/server.log',
    cliToken: '/srv/sy/data/demo/cli-token',
    adminPassword: 'generated-for-this-run',
    pair: 'demo',
    agents: [
      { node: 'db-1', pid: 4101, log: '/srv/sy/data/demo/db-1.agent.log' },
      { node: 'db-2', pid: 4102, log: '/srv/sy/data/demo/db-2.agent.log' },
    ],
    restartCommand: (node: string) => `npm run demo -- restart-agent ${node}`,
  };

  it('prints the URL, the pids, hooks.log and the exact commands to try next', () => {
    const text = banner(input);
    expect(text).toContain('server     http://127.0.0.1:8080');
    expect(text).toContain('db-1  pid 4101');
    expect(text).toContain('db-2  pid 4102');
    expect(text).toContain('hooks log  /srv/sy/data/demo/hooks.log');
    expect(text).toContain('login      admin / generated-for-this-run');
    for (const command of [
      'export SWITCHYARD_TOKEN=$(cat /srv/sy/data/demo/cli-token)',
      'npx switchyard status',
      'kill -9 4101',
      'cat /srv/sy/data/demo/hooks.log',
      'npm run demo -- restart-agent db-1',
      'npx switchyard auto-failover demo on --reason "db-1 is back"',
      'npx switchyard events demo',
    ]) {
      expect(text).toContain(`  ${command}`);
    }
    expect(text).not.toContain('SWITCHYARD_URL');
  });

  it('says how to point the CLI at a demo on another port', () => {
    expect(banner({ ...input, url: 'http://127.0.0.1:9090' })).toContain('export SWITCHYARD_URL=http://127.0.0.1:9090');
  });
});

describe('demo narration', () => {
  const event = (kind: string, message: string, details: Record<string, unknown> = {}): EventView => ({
    id: 1,
    at: '2026-11-23T12:00:00.000Z',
    kind,
    pairId: 'p',
    nodeId: null,
    actor: 'system',
    message,
    details,
  });

  it.each([
    [event('signal', 'Down(db-1) at …', { signal: 'Down', rule: 'ActiveDown' }), '[signal] Down(db-1) at …'],
    [event('signal', 'DownHeartbeat(db-1)', { signal: 'DownHeartbeat' }), null],
    [event('command-result', 'promote succeeded on db-2'), null],
    [
      event('decision', 'failover db-1 → db-2: … (rule 2)', { rule: 'rule 2' }),
      '[decision] failover db-1 → db-2: … (rule 2)',
    ],
    [event('held', 'no failover: …', { rule: 'rule 3 (no-target)' }), '[held] no failover: … (rule 3 (no-target))'],
  ])('%#: an event line, or nothing for the noisy ones', (e, line) => {
    expect(eventLine(e)).toBe(line);
  });

  it('tells agent connections and pair state changes, once each', () => {
    const a = {
      line: 'pair demo: normal, active db-1, epoch 0, auto-failover on',
      connected: { 'db-1': true, 'db-2': true },
    };
    const b = {
      line: 'pair demo: normal, active db-1, epoch 0, auto-failover on',
      connected: { 'db-1': false, 'db-2': true },
    };
    const c = { line: 'pair demo: failed-over, active db-2, epoch 1, auto-failover off', connected: b.connected };
    expect(pairChanges(null, a)).toEqual(["db-1's agent connected", "db-2's agent connected", a.line]);
    expect(pairChanges(a, a)).toEqual([]);
    expect(pairChanges(a, b)).toEqual(["db-1's agent disconnected"]);
    expect(pairChanges(b, c)).toEqual([c.line]);
  });
});

describe('resetDemoFolder', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  const state = (pid: number) => ({
    pid,
    url: 'http://127.0.0.1:8080',
    startedAt: '2026-11-23T12:00:00.000Z',
    pair: 'demo',
    agents: {
      'db-1': { pid: 501, config: '/d/db-1.agent.json', log: '/d/db-1.agent.log' },
      'db-2': { pid: null, config: '/d/db-2.agent.json', log: '/d/db-2.agent.log' },
    },
  });

  it('creates a missing folder', async () => {
    const paths = demoPaths(join(temp.path, 'demo'));
    await resetDemoFolder(paths, { isRunning: () => false, stop: async () => {} }, 'demo/main.ts');
    expect(readdirSync(paths.dir)).toEqual([]);
  });

  it('leaves alone a folder that is not a demo folder', async () => {
    const paths = demoPaths(temp.path);
    writeFileSync(join(temp.path, 'precious.txt'), 'keep me');
    await expect(resetDemoFolder(paths, { isRunning: () => false, stop: async () => {} }, 'm')).rejects.toThrow(
      DemoFolderError,
    );
    expect(existsSync(join(temp.path, 'precious.txt'))).toBe(true);
  });

  it('refuses the folder of a demo that still runs', async () => {
    const paths = demoPaths(temp.path);
    writeDemoState(paths, state(999_999));
    await expect(
      resetDemoFolder(
        paths,
        { isRunning: (pid, marker) => pid === 999_999 && marker === 'demo/main.ts', stop: async () => {} },
        'demo/main.ts',
      ),
    ).rejects.toThrow('a demo is already running');
    expect(readDemoState(paths)?.pid).toBe(999_999);
  });

  it('stops the leftover agents of a dead demo by PID, then empties the folder', async () => {
    const paths = demoPaths(temp.path);
    writeDemoState(paths, state(999_999));
    mkdirSync(join(temp.path, 'db-1-state'));
    const stopped: [number, string][] = [];
    await resetDemoFolder(
      paths,
      { isRunning: () => false, stop: async (pid, marker) => void stopped.push([pid, marker]) },
      'demo/main.ts',
    );
    expect(stopped).toEqual([[501, '/d/db-1.agent.json']]);
    expect(readdirSync(temp.path)).toEqual([]);
  });
});
