import WebSocket from 'ws';
import {
  AGENT_CLOSE,
  type AgentMessage,
  MAX_AGENT_FRAME_BYTES,
  type ServerMessage,
  serverMessage,
} from '../server/contract/agent-protocol.ts';
import { type BackoffOptions, nextDelay, unauthorizedDelay } from './backoff.ts';
import type { Logger } from './logger.ts';

/**
 * The agent's one WebSocket to the server, kept open: reconnects with capped
 * exponential backoff and full jitter; the attempt counter goes back to zero
 * only after a connection stayed up for `stableAfterMs`, so a server that
 * accepts and drops at once does not get hammered.
 */

export interface ConnectionOptions extends BackoffOptions {
  url: string;
  /** asked before every attempt, so a token file fixed after a 4401 is picked up without a restart */
  token: () => string;
  stableAfterMs: number;
  connectTimeoutMs?: number;
  /** a pinned CA (PEM): the server's certificate must chain to it, and to nothing else */
  ca?: string;
  /** a ping goes out this often; no pong by the next one means the path is dead */
  pingEveryMs?: number;
  random?: () => number;
}

export interface ConnectionHandlers {
  /** the socket is open: say hello */
  open(): void;
  message(message: ServerMessage): void;
  /** the socket closed; `retryInMs` is when the next attempt starts */
  closed(code: number, reason: string, retryInMs: number): void;
}

export class AgentConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
    private readonly log: Logger,
  ) {}

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  send(message: AgentMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'agent stopping');
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000).unref();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const { url } = this.options;
    this.log.debug('connecting', { url, attempt: this.attempt });
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.token()}` },
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      maxPayload: MAX_AGENT_FRAME_BYTES,
      perMessageDeflate: false,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.socket = socket;
    let unauthorized = false;
    let alive = true;

    // Attached first: a refused or reset connection must end up in 'close', never crash the agent.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      // A certificate we do not trust is a configuration problem an operator must see, not noise.
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS/i.test(code)) {
        this.log.error("the server's TLS certificate is not trusted: check caFile and the server's certificate", {
          error: code,
        });
      } else {
        this.log.debug('socket error', { error: code });
      }
    });
    socket.on('unexpected-response', (_request, response) => {
      unauthorized = response.statusCode === 401 || response.statusCode === 403;
      this.log.warn('server refused the WebSocket upgrade', { status: response.statusCode });
      socket.terminate();
    });
    socket.on('open', () => {
      this.log.info('connected', { url });
      this.stableTimer = setTimeout(() => {
        this.attempt = 0;
      }, this.options.stableAfterMs);
      const pingEveryMs = this.options.pingEveryMs ?? 20_000;
      this.pingTimer = setInterval(() => {
        if (!alive) {
          this.log.warn('no pong from the server; reconnecting', { afterMs: pingEveryMs });
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, pingEveryMs);
      this.handlers.open();
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      let value: unknown;
      try {
        value = JSON.parse(data.toString('utf8'));
      } catch {
        this.log.warn('server sent a frame that is not JSON; ignored');
        return;
      }
      const parsed = serverMessage.safeParse(value);
      if (!parsed.success) {
        this.log.warn('server sent a message this agent does not understand; ignored', {
          type: (value as { type?: unknown })?.type,
        });
        return;
      }
      this.handlers.message(parsed.data);
    });
    socket.on('close', (code: number, reasonBuffer: Buffer) => {
      this.clearTimers();
      if (this.socket === socket) this.socket = null;
      const reason = reasonBuffer.toString();
      if (this.stopped) return;
      const random = this.options.random ?? Math.random;
      let delay: number;
      if (unauthorized || code === AGENT_CLOSE.unauthorized) {
        delay = unauthorizedDelay(this.options, random);
        this.log.error("the server refused this agent's token: put a valid one in the token file; retrying slowly", {
          code,
          reason,
          retryInMs: delay,
        });
      } else {
        delay = nextDelay(this.attempt, this.options, random);
        this.attempt += 1;
        const level = code === AGENT_CLOSE.replaced || code === AGENT_CLOSE.policyViolation ? 'warn' : 'info';
        this.log[level]('disconnected', { code, reason, retryInMs: delay, attempt: this.attempt });
      }
      this.handlers.closed(code, reason, delay);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private clearTimers(): void {
    clearTimeout(this.stableTimer);
    clearInterval(this.pingTimer);
  }
}
