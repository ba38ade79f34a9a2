import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, parseCommandLine } from '../../../server/cli/args.ts';
import type { Command } from '../../../server/cli/specs.ts';
import { parseDuration, parseThresholds } from '../../../server/cli/values.ts';

const parse = (line: string, env: Record<string, string> = {}) => parseCommandLine(splitLine(line), env);

/** 'a "b c" d' → ['a', 'b c', 'd'] (enough quoting for these tables) */
function splitLine(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function commandOf(line: string): Command {
  const parsed = parse(line);
  if (!parsed.ok) throw new Error(`${line}: ${parsed.error}`);
  return parsed.command;
}

describe('parseCommandLine: commands', () => {
  it.each<[string, Command]>([
    ['status', { kind: 'status' }],
    ['nodes', { kind: 'nodes.list' }],
    ['nodes list', { kind: 'nodes.list' }],
    ['nodes add db-1 10.0.0.11', { kind: 'nodes.add', name: 'db-1', address: '10.0.0.11' }],
    ['nodes rotate-token db-1', { kind: 'nodes.rotate-token', node: 'db-1' }],
    ['nodes revoke-token db-1', { kind: 'nodes.revoke-token', node: 'db-1' }],
    ['pairs', { kind: 'pairs.list' }],
    ['pairs show orders', { kind: 'pairs.show', pair: 'orders' }],
    [
      'pairs link orders db-1 db-2',
      { kind: 'pairs.link', name: 'orders', primary: 'db-1', secondary: 'db-2', weights: null, profile: null },
    ],
    [
      'pairs link orders db-1 db-2 --weights 60/40',
      {
        kind: 'pairs.link',
        name: 'orders',
        primary: 'db-1',
        secondary: 'db-2',
        weights: { primary: 60, secondary: 40 },
        profile: null,
      },
    ],
    [
      'switchover orders db-2',
      { kind: 'switchover', pair: 'orders', node: 'db-2', force: false, confirm: null, wait: false },
    ],
    [
      'switchover orders db-2 --force --confirm db-2 --wait',
      { kind: 'switchover', pair: 'orders', node: 'db-2', force: true, confirm: 'db-2', wait: true },
    ],
    ['auto-failover orders off', { kind: 'auto-failover', pair: 'orders', enabled: false, reason: null }],
    [
      'auto-failover orders on --reason "db-1 is back"',
      { kind: 'auto-failover', pair: 'orders', enabled: true, reason: 'db-1 is back' },
    ],
    ['maintenance orders on', { kind: 'maintenance', pair: 'orders', enabled: true }],
    ['events orders', { kind: 'events', pair: 'orders', limit: 50, before: null, eventKind: null }],
    [
      'events orders --limit 5 --before 40 --kind decision',
      { kind: 'events', pair: 'orders', limit: 5, before: 40, eventKind: 'decision' },
    ],
    ['drill orders db-1', { kind: 'drill', pair: 'orders', node: 'db-1' }],
    ['alerts', { kind: 'alerts', all: false, pair: null, limit: null }],
    ['alerts --all --pair orders --limit 10', { kind: 'alerts', all: true, pair: 'orders', limit: 10 }],
    ['ack 12 --comment "seen, db-1 rebooted"', { kind: 'ack', alertId: 12, comment: 'seen, db-1 rebooted' }],
    ['brake', { kind: 'brake.show' }],
    ['brake release', { kind: 'brake.release' }],
  ])('%s', (line, command) => {
    expect(commandOf(line)).toEqual(command);
  });

  it('accepts global options before, between and after the command words', () => {
    for (const line of [
      '--json --server http://h:1 switchover orders db-2',
      'switchover --server http://h:1 orders --json db-2',
      'switchover orders db-2 --server=http://h:1 --json',
    ]) {
      const parsed = parse(line);
      expect(parsed).toMatchObject({
        ok: true,
        globals: { server: 'http://h:1', json: true },
        command: { node: 'db-2' },
      });
    }
  });
});

describe('parseCommandLine: server and token', () => {
  it('defaults to the local server and no token', () => {
    expect(parse('status')).toMatchObject({ ok: true, globals: { server: DEFAULT_SERVER, token: null, json: false } });
  });

  it('takes SWITCHYARD_URL and SWITCHYARD_TOKEN from the environment, and the flags over them', () => {
    const env = { SWITCHYARD_URL: 'https://sy.example:8443/', SWITCHYARD_TOKEN: 'env-token' };
    expect(parse('status', env)).toMatchObject({
      globals: { server: 'https://sy.example:8443', token: 'env-token' },
    });
    expect(parse('status --server http://other:8080 --token flag-token', env)).toMatchObject({
      globals: { server: 'http://other:8080', token: 'flag-token' },
    });
  });

  it('treats an empty SWITCHYARD_TOKEN as no token', () => {
    expect(parse('status', { SWITCHYARD_TOKEN: '' })).toMatchObject({ globals: { token: null } });
  });
});

describe('parseCommandLine: usage errors name the problem and carry the usage of that command', () => {
  it.each([
    ['', 'name a command', 'usage: switchyard <command>'],
    ['frobnicate', 'unknown command "frobnicate"', 'usage: switchyard <command>'],
    [
      'nodes frob',
      'unknown nodes command "frob" (one of: list, add, rotate-token, revoke-token)',
      'switchyard nodes add',
    ],
    ['switchover orders', 'missing <node>', 'usage: switchyard switchover <pair> <node>'],
    ['switchover', 'missing <pair> <node>', 'usage: switchyard switchover <pair> <node>'],
    ['switchover orders db-2 db-3', 'unexpected argument "db-3"', 'usage: switchyard switchover'],
    ['switchover orders db-2 --confirm db-2', '--confirm goes with --force', 'usage: switchyard switchover'],
    ['switchover orders db-2 --limit 3', 'unknown option --limit', 'usage: switchyard switchover'],
    [
      'auto-failover orders maybe',
      'the second argument must be "on" or "off" (got "maybe")',
      'auto-failover <pair> on|off',
    ],
    ['maintenance orders', 'missing on|off', 'usage: switchyard maintenance'],
    [
      'events orders --limit abc',
      '--limit must be a whole number from 1 to 500 (got "abc")',
      'usage: switchyard events',
    ],
    ['events orders --limit 0', '--limit must be a whole number from 1 to 500 (got "0")', 'usage: switchyard events'],
    ['events orders --limit', "option '--limit <value>' argument missing", 'usage: switchyard events'],
    ['ack 3', '--comment is required: say why', 'usage: switchyard ack'],
    ['ack x --comment seen', '<alert-id> must be a whole number from 1', 'usage: switchyard ack'],
    ['pairs link o a b --weights 51-49', '--weights must look like 51/49', 'usage: switchyard pairs link'],
    ['pairs link o a b --weights 0/49', '--weights primary must be a whole number from 1 to 1000', 'pairs link'],
    ['pairs link o a b --thresholds 3x', '--thresholds must look like 3x1s', 'pairs link'],
    ['pairs link o a b --thresholds 3xfast', '--thresholds interval must be a duration', 'pairs link'],
    ['pairs link o a b --thresholds 3x50ms', '--thresholds interval must be from 100ms to 1h', 'pairs link'],
    [
      'status --server ftp://x',
      '--server must be an http:// or https:// URL (got "ftp://x")',
      'usage: switchyard status',
    ],
    ['status --server nonsense', '--server must be an http:// or https:// URL', 'usage: switchyard status'],
    ['status --json=yes', "option '--json' does not take an argument", 'usage: switchyard status'],
  ])('%j', (line, error, usage) => {
    const parsed = parse(line);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toContain(error);
    expect(parsed.usage).toContain(usage);
  });
});

describe('parseCommandLine: help', () => {
  it.each([
    ['--help', 'usage: switchyard <command>'],
    ['help', 'usage: switchyard <command>'],
    ['help switchover', 'usage: switchyard switchover <pair> <node>'],
    ['switchover --help', 'usage: switchyard switchover <pair> <node>'],
    ['nodes add -h', 'usage: switchyard nodes add <name> <address>'],
  ])('%s', (line, text) => {
    const parsed = parse(line);
    expect(parsed).toMatchObject({ ok: true, command: { kind: 'help' } });
    if (parsed.ok && parsed.command.kind === 'help') expect(parsed.command.text).toContain(text);
  });

  it('lists every command and the exit codes', () => {
    const parsed = parse('--help');
    const text = parsed.ok && parsed.command.kind === 'help' ? parsed.command.text : '';
    for (const c of ['status', 'nodes add', 'pairs link', 'switchover', 'auto-failover', 'maintenance', 'ack']) {
      expect(text).toContain(`  ${c}`);
    }
    expect(text).toContain('exit codes: 0 done, 1 the server refused or failed');
  });
});

describe('value parsers', () => {
  it.each([
    ['250ms', 250],
    ['1s', 1000],
    ['1.5s', 1500],
    ['2min', 120_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
  ])('duration %s', (text, ms) => {
    expect(parseDuration(text, 'x')).toBe(ms);
  });

  it('--thresholds 3x1s is the demo profile: Up and Down after 3 × 1 s, DownHeartbeat on every down sample', () => {
    const role = {
      up: { beats: 3, intervalMs: 1000 },
      down: { beats: 3, intervalMs: 1000 },
      downHeartbeat: { enabled: true, beats: 1, intervalMs: 1000 },
    };
    expect(parseThresholds('3x1s')).toEqual({ active: role, passive: role });
  });
});
