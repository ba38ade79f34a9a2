import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AgentConnection } from '../../../agents/connection.ts';
import { createLogger } from '../../../agents/logger.ts';
import { waitFor } from '../../helpers/wait.ts';

/**
 * The agent's reconnecting socket against a real `ws` server on loopback
 * that misbehaves on purpose. The random source is fixed at 0.5, so each
 * chosen delay is exactly half its window: the attempt counter is visible.
 */

type Behaviour = 'drop' | 'keep' | 'unauthorized' | 'http-401';

async function peer(initial: Behaviour) {
  let behaviour = initial;
  const tokens: string[] = [];
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    tokens.push(request.headers.authorization ?? '');
    if (behaviour === 'http-401') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (behaviour === 'drop') ws.close(1011, 'dropped');
      if (behaviour === 'unauthorized') ws.close(4401, 'UNAUTHORIZED: unknown or revoked token');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/api/v1/agent`,
    tokens,
    set: (next: Behaviour) => {
      behaviour = next;
    },
    /** closes every open socket from the server side */
    dropAll: () => {
      for (const client of wss.clients) client.close(1001, 'restarting');
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('AgentConnection', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup(behaviour: Behaviour, token: () => string = () => 'sya_token-one-0000000000000000') {
    const server = await peer(behaviour);
    const delays: number[] = [];
    const codes: number[] = [];
    let opens = 0;
    const logs: string[] = [];
    const connection = new AgentConnection(
      { url: server.url, token, baseMs: 40, maxMs: 1000, stableAfterMs: 300, random: () => 0.5 },
      {
        open: () => {
          opens += 1;
        },
        message: () => {},
        closed: (code, _reason, retryInMs) => {
          codes.push(code);
          delays.push(retryInMs);
        },
      },
      createLogger('debug', (line) => logs.push(line)),
    );
    cleanups.push(async () => {
      await connection.stop();
      await server.close();
    });
    connection.start();
    return { server, connection, delays, codes, logs, opens: () => opens };
  }

  it('backs off exponentially while connections keep dropping at once', async () => {
    const { delays } = await setup('drop');
    await waitFor('four failed connections', () => delays.length >= 4);
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 160]);
  });

  it('starts again from the bottom only after a connection stayed up for stableAfterMs', async () => {
    const t = await setup('drop');
    await waitFor('three failed connections', () => t.delays.length >= 3);
    t.server.set('keep');
    const opensBefore = t.opens();
    await waitFor('a connection that stays', () => t.opens() > opensBefore && t.connection.isOpen);
    await new Promise((resolve) => setTimeout(resolve, 500)); // longer than stableAfterMs (300)
    const before = t.delays.length;
    t.server.dropAll();
    await waitFor('the next close', () => t.delays.length > before);
    expect(t.delays.at(-1)).toBe(20);
  });

  it('retries slowly after 4401, without raising the attempt counter, and logs it as an error', async () => {
    const t = await setup('unauthorized');
    await waitFor('two refusals', () => t.delays.length >= 2);
    expect(t.codes.slice(0, 2)).toEqual([4401, 4401]);
    expect(t.delays.slice(0, 2)).toEqual([750, 750]);
    expect(t.logs.some((line) => line.includes('"level":"error"') && line.includes('refused this agent'))).toBe(true);
  });

  it('treats an HTTP 401 on the upgrade like 4401', async () => {
    const t = await setup('http-401');
    await waitFor('a refusal', () => t.delays.length >= 1);
    expect(t.delays[0]).toBe(750);
  });

  it('asks for the token before every attempt, and never logs it', async () => {
    let token = 'sya_token-one-0000000000000000';
    const t = await setup('unauthorized', () => token);
    await waitFor('a first attempt', () => t.server.tokens.length >= 1);
    token = 'sya_token-two-0000000000000000';
    t.server.set('keep');
    await waitFor('an attempt with the new token', () => t.server.tokens.includes(`Bearer ${token}`));
    expect(t.logs.join('\n')).not.toContain('sya_token');
  });
});
