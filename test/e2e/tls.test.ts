import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollNode } from '../helpers/agent-client.ts';
import { type AgentProcess, startAgentProcess, writeAgentConfig } from '../helpers/agent-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait.ts';

/** A private CA and a server certificate for 127.0.0.1 signed by it (openssl from the system). */
function makeCertificates(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=switchyard test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  const ext = join(dir, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${ext}`]);
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    'server.pem',
  );
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=some other CA',
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
  );
}

describe('TLS: https for the API, wss:// with a pinned CA for agents', () => {
  const temp = makeTempDir();
  let t: TestApp;
  let url = '';
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    makeCertificates(temp.path);
    t = await startTestApp(
      { SWITCHYARD_TLS_CERT: join(temp.path, 'server.pem'), SWITCHYARD_TLS_KEY: join(temp.path, 'server.key') },
      { listen: true, dir: join(temp.path, 'server') },
    );
    const address = t.app.server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    await t.app.close();
    temp.cleanup();
  });

  it('answers over https with a certificate that chains to our CA', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/healthz`, { ca: readFileSync(join(temp.path, 'ca.pem')) }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });

  it('an agent pinning our CA connects over wss:// and beats', async () => {
    const { node, token } = await enrollNode(t.app, 'tls-1');
    const config = writeAgentConfig(
      temp.path,
      {
        server: url,
        token,
        caFile: join(temp.path, 'ca.pem'),
        intervalMs: 200,
        stateDir: join(temp.path, 'tls-1-state'),
        logLevel: 'warn',
      },
      'tls-1.json',
    );
    agents.push(startAgentProcess(config));
    await waitFor('a beat over wss', () => t.app.ingest.live(node.id)?.lastHeartbeat, { timeoutMs: 15_000 });
    expect(t.app.ingest.live(node.id)?.connected).toBe(true);
  });

  it('an agent pinning another CA refuses the server: its token never leaves it', async () => {
    const { node, token } = await enrollNode(t.app, 'tls-2');
    const config = writeAgentConfig(
      temp.path,
      {
        server: url,
        token,
        caFile: join(temp.path, 'other.pem'),
        intervalMs: 200,
        stateDir: join(temp.path, 'tls-2-state'),
        reconnect: { baseMs: 100, maxMs: 500, stableAfterMs: 1000 },
      },
      'tls-2.json',
    );
    const agent = startAgentProcess(config);
    agents.push(agent);
    const refusal = await agent.waitForLog((l) => JSON.stringify(l).includes('certificate'), 15_000);
    expect(JSON.stringify(refusal)).toMatch(/certificate/i);
    expect(t.app.ingest.live(node.id)?.lastHeartbeat ?? null).toBeNull();
    expect(agent.stdout()).not.toContain(token);
  });
});
