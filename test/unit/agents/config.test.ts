import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentUrlOf,
  defaultCheckTimeout,
  fieldPath,
  loadAgentConfig,
  parseAgentConfig,
} from '../../../agents/config.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const TOKEN = 'sya_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const minimal = { server: 'http://manager:8080', token: TOKEN, stateDir: '/var/lib/switchyard-agent' };

const problems = (raw: unknown) => {
  const result = parseAgentConfig(raw, '/etc/switchyard', () => {
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  });
  return result.ok ? 'valid' : result.message;
};

describe('parseAgentConfig', () => {
  it('fills defaults for a minimal config', () => {
    const result = parseAgentConfig(minimal, '/etc/switchyard');
    expect(result).toEqual({
      ok: true,
      config: {
        server: 'http://manager:8080',
        token: TOKEN,
        agentUrl: 'ws://manager:8080/api/v1/agent',
        stateDir: '/var/lib/switchyard-agent',
        intervalMs: 10_000,
        components: [],
        hooks: {},
        peers: [],
        reconnect: { baseMs: 1000, maxMs: 30_000, stableAfterMs: 30_000 },
        logLevel: 'info',
      },
    });
  });

  it.each([
    [{ ...minimal, server: 'ftp://x' }, 'server: must be an http(s):// or ws(s):// URL of the server'],
    [{ ...minimal, server: undefined }, 'server: is required'],
    [{ ...minimal, stateDir: undefined }, 'stateDir: is required'],
    [{ ...minimal, intervalMs: 50 }, 'intervalMs: must be at least 100 ms'],
    [{ ...minimal, intervall: 5 }, 'intervall: is not a setting'],
    [{ ...minimal, token: undefined }, 'token: set exactly one of "token" and "tokenFile"'],
    [{ ...minimal, tokenFile: '/t' }, 'token: set exactly one of "token" and "tokenFile"'],
    [{ ...minimal, token: 'short' }, 'token: is too short to be a Switchyard node token'],
    [
      { ...minimal, components: [{ name: 'pg', kind: 'tcp', host: 'h', port: 70000 }] },
      'components[0].port: must be at most 65535',
    ],
    [
      { ...minimal, components: [{ name: 'pg', kind: 'disk' }] },
      'components[0].kind: must have "kind": "process", "tcp", "http" or "command"',
    ],
    [
      { ...minimal, components: [{ name: 'pg', kind: 'tcp', host: 'h', port: 1, colour: 'red' }] },
      'components[0].colour: is not a setting',
    ],
    [
      { ...minimal, components: [{ name: 'api', kind: 'http', url: 'file:///etc/passwd' }] },
      'components[0].url: must be an http:// or https:// URL',
    ],
    [
      {
        ...minimal,
        components: [
          { name: 'pg', kind: 'process', process: 'postgres' },
          { name: 'pg', kind: 'tcp', host: 'h', port: 5432 },
        ],
      },
      'components[1].name: "pg" is used twice',
    ],
    [
      { ...minimal, intervalMs: 1000, components: [{ name: 'slow', kind: 'command', command: 'x', timeoutMs: 1000 }] },
      'components[0].timeoutMs: must be below intervalMs (1000)',
    ],
    [{ ...minimal, hooks: { promote: { command: '' } } }, 'hooks.promote.command: must not be empty'],
    [{ ...minimal, hooks: { promte: { command: 'x' } } }, 'hooks.promte: is not a setting'],
    [
      { ...minimal, peers: [{ node: 'db-2', components: [] }] },
      'peers[0].components: must list at least one component',
    ],
    [{ ...minimal, reconnect: { baseMs: 5000, maxMs: 1000 } }, 'reconnect.maxMs: must not be below reconnect.baseMs'],
  ])('names the bad field: $1', (raw, message) => {
    expect(problems(raw)).toBe(message);
  });

  it('names every bad field at once', () => {
    const message = problems({ ...minimal, server: 'nope', intervalMs: 'often', logLevel: 'loud' });
    expect(message).toContain('server: ');
    expect(message).toContain('intervalMs: ');
    expect(message).toContain('logLevel: ');
  });

  it('never repeats the token in a message', () => {
    const message = problems({ ...minimal, token: 1234567890123456, extra: TOKEN });
    expect(message).not.toContain('1234567890123456');
    expect(message).not.toContain(TOKEN);
  });

  it('reads the token from tokenFile, relative to the config folder', () => {
    const read: string[] = [];
    const result = parseAgentConfig(
      { ...minimal, token: undefined, tokenFile: 'agent.token' },
      '/etc/switchyard',
      (p) => {
        read.push(p);
        return `${TOKEN}\n`;
      },
    );
    expect(read).toEqual(['/etc/switchyard/agent.token']);
    expect(result.ok && result.config.token).toBe(TOKEN);
  });

  it('says when the token file cannot be read', () => {
    expect(problems({ ...minimal, token: undefined, tokenFile: 'missing.token' })).toBe(
      'tokenFile: cannot read /etc/switchyard/missing.token (ENOENT)',
    );
  });

  it('resolves a relative stateDir against the config folder', () => {
    const result = parseAgentConfig({ ...minimal, stateDir: 'state' }, '/etc/switchyard');
    expect(result.ok && result.config.stateDir).toBe('/etc/switchyard/state');
  });
});

describe('loadAgentConfig', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  it('names the file when it is not JSON, without quoting its content', () => {
    const file = join(temp.path, 'bad.json');
    writeFileSync(file, `x{"token": "${TOKEN}"}`);
    const result = loadAgentConfig(file);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(`config file ${file} is not valid JSON`);
      expect(result.message).not.toContain('sya_');
    }
  });

  it('names a missing file', () => {
    expect(loadAgentConfig(join(temp.path, 'none.json'))).toEqual({
      ok: false,
      message: `cannot read config file ${join(temp.path, 'none.json')} (ENOENT)`,
    });
  });
});

describe('small pure helpers', () => {
  it.each([
    ['http://m:8080', 'ws://m:8080/api/v1/agent'],
    ['https://m.example/', 'wss://m.example/api/v1/agent'],
    ['https://m.example/switchyard/', 'wss://m.example/switchyard/api/v1/agent'],
    ['ws://10.0.0.1:9000', 'ws://10.0.0.1:9000/api/v1/agent'],
  ])('agentUrlOf(%s) = %s', (server, url) => {
    expect(agentUrlOf(server)).toBe(url);
  });

  it('formats field paths', () => {
    expect(fieldPath(['components', 1, 'port'])).toBe('components[1].port');
    expect(fieldPath([])).toBe('(config)');
  });

  it('defaults a check timeout to half the interval, at most 5 s', () => {
    expect(defaultCheckTimeout(10_000)).toBe(5000);
    expect(defaultCheckTimeout(1000)).toBe(500);
  });
});
