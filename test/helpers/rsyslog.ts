import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir.ts';
import { waitFor } from './wait.ts';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** What rsyslog's own RFC 5424 parser (and mmpstrucdata, for the SD params) made of one message. */
export interface RsyslogLine {
  input: 'imudp' | 'imtcp';
  pri: string;
  version: string;
  timestamp: string;
  hostname: string;
  appname: string;
  procid: string;
  msgid: string;
  /** STRUCTURED-DATA as received, still escaped */
  sd: string;
  /** the SD params unescaped by mmpstrucdata: { [sdId]: { [name]: value } } */
  'rfc5424-sd'?: Record<string, Record<string, string>>;
  msg: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  lines: () => RsyslogLine[];
  waitForLine: (what: string, match: (line: RsyslogLine) => boolean) => Promise<RsyslogLine>;
  stop: () => Promise<void>;
}

const PROBE_APP = 'rsyslog-probe';

/**
 * The real rsyslogd as a syslog receiver, unprivileged-friendly: high ports on
 * 127.0.0.1, a temp work directory and output file, and no imuxsock/imklog,
 * so it never touches /dev/log, the kernel log or system files. Every message
 * from our inputs is written as one JSON line of the fields it parsed.
 */
export async function startRsyslog(): Promise<Rsyslog> {
  if (!existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} is missing: apt-get install -y rsyslog`);
  const dir = makeTempDir('switchyard-rsyslog-');
  const out = join(dir.path, 'received.jsonl');
  const udpPort = await freeUdpPort();
  const tcpPort = await freeTcpPort();
  const conf = join(dir.path, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${dir.path}")
module(load="imudp")
module(load="imtcp")
module(load="mmpstrucdata")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
template(name="rfc3339" type="string" string="%timereported:::date-rfc3339%")
template(name="parsed" type="string" string="%$!%\\n")
if $inputname == "imudp" or $inputname == "imtcp" then {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  set $!input = $inputname;
  set $!pri = $pri;
  set $!version = $protocol-version;
  set $!timestamp = exec_template("rfc3339");
  set $!hostname = $hostname;
  set $!appname = $app-name;
  set $!procid = $procid;
  set $!msgid = $msgid;
  set $!sd = $structured-data;
  set $!msg = $msg;
  action(type="omfile" file="${out}" template="parsed")
}
`,
  );
  let stderr = '';
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir.path, 'rsyslogd.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const everything = (): RsyslogLine[] =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as RsyslogLine)
      : [];
  const lines = () => everything().filter((l) => l.appname !== PROBE_APP);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    dir.cleanup();
  };

  try {
    // Ready when a probe over each transport has come out the other end.
    await waitFor(
      `rsyslogd to log probes on udp/${udpPort} and tcp/${tcpPort}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${stderr}`);
        await probe(udpPort, tcpPort);
        const inputs = new Set(everything().map((l) => l.input));
        return inputs.has('imudp') && inputs.has('imtcp');
      },
      { timeoutMs: 15_000, everyMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    udpPort,
    tcpPort,
    lines,
    waitForLine: (what, match) => waitFor(`rsyslog to log ${what}`, () => lines().find(match)),
    stop,
  };
}

async function probe(udpPort: number, tcpPort: number): Promise<void> {
  const message = Buffer.from(`<14>1 - - ${PROBE_APP} - - - ready`);
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.send(message, udpPort, '127.0.0.1', () => resolve()));
  udp.close();
  await new Promise<void>((resolve) => {
    const tcp = net.connect(tcpPort, '127.0.0.1', () =>
      tcp.end(Buffer.concat([Buffer.from(`${message.length} `), message])),
    );
    tcp.once('error', () => resolve()); // not listening yet: the next round tries again
    tcp.once('close', () => resolve());
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
