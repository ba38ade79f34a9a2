import type { ParseArgsConfig } from 'node:util';
import type { ThresholdProfile } from '../contract/thresholds.ts';
import { integer, onOff, parseThresholds, parseWeights, str, UsageError, type Values } from './values.ts';

/**
 * Every command of the CLI, as data: its words, arguments, options, help,
 * and how its parsed arguments become one typed Command.
 */

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'status' }
  | { kind: 'nodes.list' }
  | { kind: 'nodes.add'; name: string; address: string }
  | { kind: 'nodes.rotate-token'; node: string }
  | { kind: 'nodes.revoke-token'; node: string }
  | { kind: 'pairs.list' }
  | { kind: 'pairs.show'; pair: string }
  | {
      kind: 'pairs.link';
      name: string;
      primary: string;
      secondary: string;
      weights: { primary: number; secondary: number } | null;
      profile: ThresholdProfile | null;
    }
  | { kind: 'switchover'; pair: string; node: string; force: boolean; confirm: string | null; wait: boolean }
  | { kind: 'auto-failover'; pair: string; enabled: boolean; reason: string | null }
  | { kind: 'maintenance'; pair: string; enabled: boolean }
  | { kind: 'events'; pair: string; limit: number; before: number | null; eventKind: string | null }
  | { kind: 'drill'; pair: string; node: string }
  | { kind: 'alerts'; all: boolean; pair: string | null; limit: number | null }
  | { kind: 'ack'; alertId: number; comment: string }
  | { kind: 'brake.show' }
  | { kind: 'brake.release' };

export type Options = NonNullable<ParseArgsConfig['options']>;
export interface Spec {
  /** the words that name the command, e.g. ['nodes', 'add'] */
  words: string[];
  /** positional arguments, e.g. ['<name>', '<address>'] */
  args: string[];
  /** shown after the arguments in the usage line */
  optionsLine?: string;
  summary: string;
  /** one short line for the command list */
  brief: string;
  options?: Options;
  optionHelp?: [string, string][];
  build: (args: string[], values: Values) => Command;
}

export const SPECS: Spec[] = [
  {
    words: ['status'],
    brief: "every pair, its members' health, open alerts, brake",
    args: [],
    summary: 'Every pair: state, active node, each member’s verdict, stability and last heartbeat; open alerts; brake.',
    build: () => ({ kind: 'status' }),
  },
  {
    words: ['nodes', 'list'],
    brief: 'enrolled nodes and their agents',
    args: [],
    summary: 'Enrolled nodes with their agent connection and last heartbeat (also: switchyard nodes).',
    build: () => ({ kind: 'nodes.list' }),
  },
  {
    words: ['nodes', 'add'],
    brief: 'enroll a node, print its agent token once',
    args: ['<name>', '<address>'],
    summary: 'Enroll a node; prints its agent token, shown this once only.',
    build: ([name = '', address = '']) => ({ kind: 'nodes.add', name, address }),
  },
  {
    words: ['nodes', 'rotate-token'],
    brief: 'new agent token for a node',
    args: ['<node>'],
    summary: 'Give a node a new agent token (the old one stops working at once); prints it once.',
    build: ([node = '']) => ({ kind: 'nodes.rotate-token', node }),
  },
  {
    words: ['nodes', 'revoke-token'],
    brief: "revoke a node's agent token",
    args: ['<node>'],
    summary: 'Revoke a node’s agent token: its agent is disconnected and cannot come back.',
    build: ([node = '']) => ({ kind: 'nodes.revoke-token', node }),
  },
  {
    words: ['pairs', 'list'],
    brief: 'HA pairs, their state and active node',
    args: [],
    summary: 'HA pairs with their state and active node (also: switchyard pairs).',
    build: () => ({ kind: 'pairs.list' }),
  },
  {
    words: ['pairs', 'show'],
    brief: 'one pair in full',
    args: ['<pair>'],
    summary: 'One pair in full: members, thresholds, switchover in progress, holds.',
    build: ([pair = '']) => ({ kind: 'pairs.show', pair }),
  },
  {
    words: ['pairs', 'link'],
    brief: 'link two nodes into an HA pair',
    args: ['<name>', '<primary>', '<secondary>'],
    optionsLine: '[--weights 51/49] [--thresholds 3x1s]',
    summary: 'Link two enrolled nodes into an HA pair (the primary starts active; auto-failover starts off).',
    options: { weights: { type: 'string' }, thresholds: { type: 'string' } },
    optionHelp: [
      ['--weights P/S', 'weights of primary and secondary (default 51/49; the higher is preferred)'],
      ['--thresholds NxT', 'Up and Down after N beats of T for both roles, e.g. 3x1s (default 5x10s)'],
    ],
    build: ([name = '', primary = '', secondary = ''], values) => {
      const weights = str(values, 'weights');
      const thresholds = str(values, 'thresholds');
      return {
        kind: 'pairs.link',
        name,
        primary,
        secondary,
        weights: weights === null ? null : parseWeights(weights),
        profile: thresholds === null ? null : parseThresholds(thresholds),
      };
    },
  },
  {
    words: ['switchover'],
    brief: 'make a node the active one',
    args: ['<pair>', '<node>'],
    optionsLine: '[--force --confirm <node-name>] [--wait]',
    summary: 'Make <node> the active node of <pair>. It must be Up and stable unless an admin forces it.',
    options: { force: { type: 'boolean' }, confirm: { type: 'string' }, wait: { type: 'boolean' } },
    optionHelp: [
      ['--force', 'admin: switch to a node that is not Up and stable'],
      ['--confirm NAME', 'with --force: the target node’s name, typed again'],
      ['--wait', 'wait until the switchover has finished and say how it ended'],
    ],
    build: ([pair = '', node = ''], values) => {
      const confirm = str(values, 'confirm');
      const force = values.force === true;
      if (confirm !== null && !force) throw new UsageError('--confirm goes with --force');
      return { kind: 'switchover', pair, node, force, confirm, wait: values.wait === true };
    },
  },
  {
    words: ['auto-failover'],
    brief: 'enable or disable automatic failover',
    args: ['<pair>', 'on|off'],
    optionsLine: '[--reason "..."]',
    summary:
      'Enable or disable automatic failover. After an automatic failover, enabling it needs a reason: it acknowledges that failover, and the pair fails back to its preferred node.',
    options: { reason: { type: 'string' } },
    optionHelp: [['--reason TEXT', 'why (required to re-enable after an automatic failover; audited)']],
    build: ([pair = '', state = ''], values) => ({
      kind: 'auto-failover',
      pair,
      enabled: onOff(state, 'the second argument'),
      reason: str(values, 'reason'),
    }),
  },
  {
    words: ['maintenance'],
    brief: 'suspend or resume automatic actions',
    args: ['<pair>', 'on|off'],
    summary: 'Maintenance suspends every automatic action of a pair; signals are still evaluated and shown.',
    build: ([pair = '', state = '']) => ({ kind: 'maintenance', pair, enabled: onOff(state, 'the second argument') }),
  },
  {
    words: ['events'],
    brief: "the pair's timeline, with explanations",
    args: ['<pair>'],
    optionsLine: '[--limit N] [--before ID] [--kind KIND]',
    summary: 'The pair’s timeline, oldest first: signals, decisions and the rule that decided, commands, results.',
    options: { limit: { type: 'string' }, before: { type: 'string' }, kind: { type: 'string' } },
    optionHelp: [
      ['--limit N', 'how many of the latest events (1–500, default 50)'],
      ['--before ID', 'events older than event ID (paging back)'],
      ['--kind KIND', 'only this kind: signal, decision, held, command, command-result, config, ...'],
    ],
    build: ([pair = ''], values) => {
      const limit = str(values, 'limit');
      const before = str(values, 'before');
      return {
        kind: 'events',
        pair,
        limit: limit === null ? 50 : integer(limit, '--limit', 1, 500),
        before: before === null ? null : integer(before, '--before', 1, Number.MAX_SAFE_INTEGER),
        eventKind: str(values, 'kind'),
      };
    },
  },
  {
    words: ['drill'],
    brief: 'what if this node failed now? (changes nothing)',
    args: ['<pair>', '<node>'],
    summary: 'What would happen if <node> failed now? Runs the real manager on a copy; changes nothing.',
    build: ([pair = '', node = '']) => ({ kind: 'drill', pair, node }),
  },
  {
    words: ['alerts'],
    brief: 'open alerts (--all: every alert)',
    args: [],
    optionsLine: '[--all] [--pair <pair>] [--limit N]',
    summary: 'Open alerts (the problem summary); --all includes closed ones.',
    options: { all: { type: 'boolean' }, pair: { type: 'string' }, limit: { type: 'string' } },
    optionHelp: [
      ['--all', 'closed alerts too'],
      ['--pair PAIR', 'only this pair’s alerts'],
      ['--limit N', 'at most N (1–500, default 100)'],
    ],
    build: (_args, values) => {
      const limit = str(values, 'limit');
      return {
        kind: 'alerts',
        all: values.all === true,
        pair: str(values, 'pair'),
        limit: limit === null ? null : integer(limit, '--limit', 1, 500),
      };
    },
  },
  {
    words: ['ack'],
    brief: 'acknowledge an alert with a comment',
    args: ['<alert-id>'],
    optionsLine: '--comment "..."',
    summary: 'Acknowledge an alert, saying why (alerts without an off event close only this way).',
    options: { comment: { type: 'string' } },
    optionHelp: [['--comment TEXT', 'required: what was seen or done']],
    build: ([id = ''], values) => {
      const comment = str(values, 'comment')?.trim() ?? '';
      if (comment === '') throw new UsageError('--comment is required: say why');
      return { kind: 'ack', alertId: integer(id, '<alert-id>', 1, Number.MAX_SAFE_INTEGER), comment };
    },
  },
  {
    words: ['brake', 'show'],
    brief: 'the global brake',
    args: [],
    summary:
      'The global brake: automatic switchovers in the window, and whether they are held (also: switchyard brake).',
    build: () => ({ kind: 'brake.show' }),
  },
  {
    words: ['brake', 'release'],
    brief: 'release the global brake',
    args: [],
    summary: 'Admin: release the global brake so automatic switchovers may happen again.',
    build: () => ({ kind: 'brake.release' }),
  },
];
