import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';

/** A webhook receiver on loopback that records every request and answers what the test says. */
export interface WebhookReceiver {
  url: string;
  port: number;
  requests: { headers: IncomingMessage['headers']; body: string; status: number }[];
  /** decides the status of each request (default 200) */
  answer: (body: string, index: number) => number;
  close: () => Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const receiver: Partial<WebhookReceiver> & { requests: WebhookReceiver['requests'] } = {
    requests: [],
    answer: () => 200,
  };
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const status = receiver.answer?.(body, receiver.requests.length) ?? 200;
      receiver.requests.push({ headers: req.headers, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : 0;
  receiver.port = actual;
  receiver.url = `http://127.0.0.1:${actual}/hook`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver as WebhookReceiver;
}

/** A TCP server that accepts connections and never says a word: the worst kind of destination. */
export async function startHangingServer(): Promise<{ port: number; sockets: Socket[]; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
