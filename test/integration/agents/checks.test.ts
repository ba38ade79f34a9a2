import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkComponent } from '../../../agents/checks/index.ts';
import type { ComponentConfig } from '../../../agents/config.ts';

const listen = (server: Server | NetServer) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

describe('critical component checks against real endpoints on loopback', () => {
  const tcp = createServer((socket) => socket.end());
  const http = createHttpServer((request, response) => {
    if (request.url === '/hang') return; // never answers
    response.statusCode = request.url === '/health' ? 200 : 503;
    response.end('body');
  });
  const closed = createServer();
  let tcpPort = 0;
  let httpPort = 0;
  let closedPort = 0;
  beforeAll(async () => {
    tcpPort = await listen(tcp);
    httpPort = await listen(http);
    closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    http.closeAllConnections();
    await Promise.all([new Promise((r) => tcp.close(r)), new Promise((r) => http.close(r))]);
  });

  it.each([
    [
      'a listening TCP port',
      (): ComponentConfig => ({ name: 'c', kind: 'tcp', host: '127.0.0.1', port: tcpPort }),
      true,
      /accepted in/,
    ],
    [
      'a closed TCP port',
      (): ComponentConfig => ({ name: 'c', kind: 'tcp', host: '127.0.0.1', port: closedPort }),
      false,
      /ECONNREFUSED/,
    ],
    [
      'an HTTP URL with the expected status',
      (): ComponentConfig => ({
        name: 'c',
        kind: 'http',
        url: `http://127.0.0.1:${httpPort}/health`,
        expectStatus: 200,
      }),
      true,
      /HTTP 200/,
    ],
    [
      'an HTTP URL with another status',
      (): ComponentConfig => ({ name: 'c', kind: 'http', url: `http://127.0.0.1:${httpPort}/down`, expectStatus: 200 }),
      false,
      /HTTP 503, expected 200/,
    ],
    [
      'an HTTP URL in an expected list',
      (): ComponentConfig => ({
        name: 'c',
        kind: 'http',
        url: `http://127.0.0.1:${httpPort}/down`,
        expectStatus: [200, 503],
      }),
      true,
      /HTTP 503/,
    ],
    [
      'an HTTP URL that never answers',
      (): ComponentConfig => ({
        name: 'c',
        kind: 'http',
        url: `http://127.0.0.1:${httpPort}/hang`,
        expectStatus: 200,
        timeoutMs: 200,
      }),
      false,
      /no answer within 200 ms/,
    ],
    [
      'an HTTP URL on a closed port',
      (): ComponentConfig => ({ name: 'c', kind: 'http', url: `http://127.0.0.1:${closedPort}/`, expectStatus: 200 }),
      false,
      /ECONNREFUSED/,
    ],
    [
      'a command exiting 0',
      (): ComponentConfig => ({ name: 'c', kind: 'command', command: 'echo replication ok' }),
      true,
      /replication ok/,
    ],
    [
      'a command exiting 1',
      (): ComponentConfig => ({ name: 'c', kind: 'command', command: 'echo lag 300s; exit 1' }),
      false,
      /exit 1: lag 300s/,
    ],
    [
      'a command too slow',
      (): ComponentConfig => ({ name: 'c', kind: 'command', command: 'sleep 5', timeoutMs: 100 }),
      false,
      /no exit within 100 ms/,
    ],
    ['a running process', (): ComponentConfig => ({ name: 'c', kind: 'process', process: 'node' }), true, /pid \d+/],
    [
      'a missing process',
      (): ComponentConfig => ({ name: 'c', kind: 'process', process: 'no-such-daemon' }),
      false,
      /no process named no-such-daemon/,
    ],
  ])('%s', async (_what, component, healthy, detail) => {
    const result = await checkComponent(component(), 1000);
    expect(result).toMatchObject({ name: 'c', kind: component().kind, healthy, detail: expect.stringMatching(detail) });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });
});
