import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../server/config.ts';
import { makeTempDir } from './temp-dir.ts';
import { waitFor } from './wait.ts';

/**
 * A real Net-SNMP trap receiver (Debian's `snmptrapd`) on 127.0.0.1 and a free
 * UDP port, logging every trap it accepts to a file in a format that tests
 * parse: a header line with the security model, the varbinds (tab-separated,
 * as snmptrapd prints them), and an end marker.
 */

export const SNMPTRAPD = '/usr/sbin/snmptrapd';
export const SNMPTRANSLATE = '/usr/bin/snmptranslate';

/**
 * Debian ships no IETF MIBs (SNMPv2-SMI, -TC, -CONF, SNMPv2-MIB), but the npm
 * package net-snmp carries copies, so Net-SNMP's tools can load
 * SWITCHYARD-MIB with nothing installed beyond `snmp` and `snmptrapd`.
 */
export const STANDARD_MIB_DIR = join(packageRoot, 'node_modules/net-snmp/lib/mibs');
export const SWITCHYARD_MIB_DIR = join(packageRoot, 'server/modules/destinations/snmp');
export const SWITCHYARD_MIB_FILE = join(SWITCHYARD_MIB_DIR, 'SWITCHYARD-MIB.txt');

export function requireNetSnmpTool(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} is missing: install Debian's packages snmptrapd and snmp (apt-get install -y snmptrapd snmp)`,
    );
  }
}

export interface V3User {
  user: string;
  /** the sender's engine ID, hex, with or without 0x */
  engineId: string;
  /** snmptrapd's names: MD5, SHA, SHA-224 … SHA-512 */
  auth?: string;
  authKey: string;
  /** snmptrapd's names: AES, AES-256 (Blumenthal), AES-256-C (Reeder) */
  priv?: string;
  privKey: string;
}

export interface ReceiverOptions {
  /** v2c communities allowed to log */
  communities?: string[];
  /** v3 users, each required to send authPriv */
  users?: V3User[];
  /** numeric: print OIDs as numbers and load no MIB; switchyard: load SWITCHYARD-MIB and print names */
  output?: 'numeric' | 'switchyard';
}

export interface LoggedTrap {
  /** e.g. "TRAP2, SNMP v3, user switchyard, context " */
  security: string;
  /** OID (or name) → value as snmptrapd printed it, e.g. `STRING: "node-down"` */
  varbinds: Map<string, string>;
}

export interface TrapReceiver {
  port: number;
  pid: number;
  /** the log file as it is now */
  log: () => string;
  /** the log plus what snmptrapd wrote on stdout and stderr (where it reports packets it could not decode) */
  diagnostics: () => string;
  traps: () => LoggedTrap[];
  waitForTrap: (what: string, match: (trap: LoggedTrap) => boolean) => Promise<LoggedTrap>;
  stop: () => Promise<void>;
}

const END = 'END-OF-TRAP';

function configText(options: ReceiverOptions): string {
  const lines = [
    // %P: community for v1/v2c, user and context for v3; %b: the transport addresses
    `format2 TRAP %P FROM %b\\n%v\\n${END}\\n`,
  ];
  for (const community of options.communities ?? []) lines.push(`authCommunity log ${community}`);
  for (const u of options.users ?? []) {
    const engineId = u.engineId.startsWith('0x') ? u.engineId : `0x${u.engineId}`;
    lines.push(`createUser -e ${engineId} ${u.user} ${u.auth ?? 'SHA'} ${u.authKey} ${u.priv ?? 'AES'} ${u.privKey}`);
    lines.push(`authUser log ${u.user} priv`);
  }
  return `${lines.join('\n')}\n`;
}

/** snmptrapd's log, split into traps. Hex strings continue on further lines, hence the end marker. */
export function parseTrapLog(log: string): LoggedTrap[] {
  const traps: LoggedTrap[] = [];
  const record = new RegExp(`^TRAP (.*) FROM .*\\n([\\s\\S]*?)\\n${END}$`, 'gm');
  for (const [, security = '', body = ''] of log.matchAll(record)) {
    const varbinds = new Map<string, string>();
    for (const field of body.split('\t')) {
      const at = field.indexOf(' = ');
      if (at < 0) continue;
      const value = field.slice(at + 3);
      // "Hex-STRING: 07 EA 0B ... \n..." → one line, single spaces
      varbinds.set(field.slice(0, at), value.startsWith('Hex-STRING:') ? value.replace(/\s+/g, ' ').trim() : value);
    }
    traps.push({ security, varbinds });
  }
  return traps;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

function launch(dir: string, port: number, options: ReceiverOptions): ChildProcess {
  const mibArgs =
    options.output === 'switchyard'
      ? ['-M', `${STANDARD_MIB_DIR}:${SWITCHYARD_MIB_DIR}`, '-m', 'SWITCHYARD-MIB:SNMPv2-MIB']
      : ['-M', STANDARD_MIB_DIR, '-m', '', '-On'];
  return spawn(
    SNMPTRAPD,
    ['-f', '-Lf', join(dir, 'trap.log'), '-C', '-c', join(dir, 'snmptrapd.conf'), ...mibArgs, `udp:127.0.0.1:${port}`],
    {
      // its engine boots counter and created users stay in the temp dir, not in /var/lib/snmp
      env: { PATH: process.env.PATH ?? '', SNMP_PERSISTENT_DIR: join(dir, 'persist') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Starts snmptrapd in the foreground and resolves once it says it is listening. */
export async function startSnmptrapd(options: ReceiverOptions = {}): Promise<TrapReceiver> {
  requireNetSnmpTool(SNMPTRAPD);
  const dir = makeTempDir('switchyard-snmptrapd-');
  writeFileSync(join(dir.path, 'snmptrapd.conf'), configText(options));
  const logPath = join(dir.path, 'trap.log');
  const read = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  // the free port may be taken again between the probe and snmptrapd's bind: then try another
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    const child = launch(dir.path, port, options);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    let spawnError: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        spawnError = error;
        resolve();
      });
    });
    const hasExited = () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    let failure: unknown;
    try {
      // it logs its version only once the port is bound; a bind failure exits without it
      await waitFor(
        `snmptrapd listening on udp:127.0.0.1:${port}`,
        () => hasExited() || /NET-SNMP version/.test(read()),
      );
      if (hasExited())
        failure = new Error(
          `snmptrapd exited (${spawnError ?? child.exitCode ?? child.signalCode}): ${output}${read()}`,
        );
    } catch (error) {
      failure = error;
    }
    if (failure) {
      if (!hasExited()) child.kill('SIGKILL');
      await exited;
      if (attempt < 3) continue;
      dir.cleanup();
      throw failure;
    }
    const pid = child.pid ?? -1;
    const traps = () => parseTrapLog(read());
    return {
      port,
      pid,
      log: read,
      diagnostics: () => `${read()}\n${output}`,
      traps,
      waitForTrap: (what, match) => waitFor(`snmptrapd to log ${what}`, () => traps().find(match)),
      stop: async () => {
        if (!hasExited()) process.kill(pid, 'SIGTERM');
        await exited;
        dir.cleanup();
      },
    };
  }
}
