import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../server/config.ts';
import { enrollNode } from '../helpers/agent-client.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { baseUrl, startTestApp, type TestApp } from '../helpers/test-app.ts';

const run = promisify(execFile);
const script = join(packageRoot, 'agents/push-heartbeat.sh');

// The curl example of agents/README.md, run as written against the real server.
describe('agents/push-heartbeat.sh', () => {
  const temp = makeTempDir();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
  });
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('is the script agents/README.md shows', () => {
    const readme = readFileSync(join(packageRoot, 'agents/README.md'), 'utf8');
    expect(readme).toContain(readFileSync(script, 'utf8'));
  });

  it('pushes beats with curl: healthy while the process runs, unhealthy when it does not', async () => {
    const { node, token } = await enrollNode(t.app, 'no-node-js');
    const header = join(temp.path, 'auth-header');
    writeFileSync(header, `Authorization: Bearer ${token}\n`, { mode: 0o600 });
    const env = {
      PATH: process.env.PATH ?? '',
      SERVER: baseUrl(t.app),
      NODE_ID: node.id,
      AUTH_HEADER_FILE: header,
      STATE_DIR: join(temp.path, 'beat'),
    };

    const first = await run('/bin/sh', [script], { env: { ...env, PROCESS: 'node' } });
    expect(JSON.parse(first.stdout)).toMatchObject({ accepted: true });
    let shown = (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();
    expect(shown.lastHeartbeat).toMatchObject({ via: 'http', seq: 1, healthy: true });

    await run('/bin/sh', [script], { env: { ...env, PROCESS: 'no-such-daemon' } });
    shown = (await injectAsAdmin(t.app, { url: `/api/v1/nodes/${node.id}` })).json();
    expect(shown.lastHeartbeat).toMatchObject({
      seq: 2,
      healthy: false,
      components: [{ name: 'no-such-daemon', kind: 'process', healthy: false }],
    });
  });

  it('fails loudly with a wrong token', async () => {
    const { node } = await enrollNode(t.app, 'wrong-token');
    const header = join(temp.path, 'wrong-header');
    writeFileSync(header, 'Authorization: Bearer sya_wrong-wrong-wrong-wrong-wrong\n');
    const failed = await run('/bin/sh', [script], {
      env: {
        PATH: process.env.PATH ?? '',
        SERVER: baseUrl(t.app),
        NODE_ID: node.id,
        AUTH_HEADER_FILE: header,
        STATE_DIR: join(temp.path, 'beat2'),
        PROCESS: 'node',
      },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 22, stderr: expect.stringContaining('401') });
  });
});
