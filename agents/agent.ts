import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  AGENT_PROTOCOL_VERSION,
  type CommandMessage,
  type ComponentResult,
  type PeerReport,
  type ServerMessage,
} from '../server/contract/agent-protocol.ts';
import { checkAll } from './checks/index.ts';
import { CommandExecutor } from './commands.ts';
import type { AgentConfig } from './config.ts';
import { AgentConnection } from './connection.ts';
import type { Logger } from './logger.ts';
import { StateStore } from './state.ts';

/**
 * The agent: every interval it checks the node's critical components (and
 * its peers'), and sends one heartbeat if connected; it runs the server's
 * commands through CommandExecutor. Heartbeats are never queued while
 * disconnected: a stale beat is worse than none.
 */

interface Round {
  components: ComponentResult[];
  peers: PeerReport[];
}

export class Agent {
  private readonly connection: AgentConnection;
  private readonly executor: CommandExecutor;
  private timer: NodeJS.Timeout | undefined;
  private roundRunning = false;
  private lastRound: Round | null = null;
  private seq = 0;
  private nodeName: string | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly version: string,
    private readonly log: Logger,
  ) {
    const store = new StateStore(config.stateDir);
    const state = store.load();
    log.info('state loaded', { stateFile: store.path, epoch: state.epoch, role: state.role });
    this.executor = new CommandExecutor(store, state, config.hooks, log, () => ({
      SWITCHYARD_NODE: this.nodeName ?? '',
    }));
    this.connection = new AgentConnection(
      {
        url: config.agentUrl,
        token: () => this.currentToken(),
        ...config.reconnect,
        ...(config.ca ? { ca: config.ca } : {}),
        pingEveryMs: Math.max(20_000, config.intervalMs * 2),
      },
      {
        open: () => this.onOpen(),
        message: (message) => this.onMessage(message),
        closed: () => {},
      },
      log,
    );
  }

  // An operator who rotated the token only has to update the token file: the next attempt reads it.
  private currentToken(): string {
    const file = this.config.tokenFile;
    if (!file) return this.config.token;
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token.length >= 20) return token;
    } catch (error) {
      this.log.warn('cannot read the token file; using the token read at start', { file, error });
    }
    return this.config.token;
  }

  start(): void {
    this.log.info('agent starting', {
      version: this.version,
      server: this.config.agentUrl,
      intervalMs: this.config.intervalMs,
      components: this.config.components.map((c) => c.name),
      peers: this.config.peers.map((p) => p.node),
      hooks: Object.keys(this.config.hooks),
    });
    this.connection.start();
    void this.round();
    this.timer = setInterval(() => void this.round(), this.config.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.connection.stop();
    // A hook half-way through a promote is worse than a slow stop; its own time limit bounds the wait.
    await this.executor.idle();
  }

  private async round(): Promise<void> {
    if (this.roundRunning) {
      this.log.warn('checks still running from the last interval; skipping this beat');
      return;
    }
    this.roundRunning = true;
    try {
      const [components, peers] = await Promise.all([
        checkAll(this.config.components, this.config.intervalMs),
        Promise.all(
          this.config.peers.map(async (peer): Promise<PeerReport> => {
            const checkedAt = Date.now();
            const results = await checkAll(peer.components, this.config.intervalMs);
            return { node: peer.node, healthy: results.every((r) => r.healthy), checkedAt, components: results };
          }),
        ),
      ]);
      this.lastRound = { components, peers };
      this.sendHeartbeat();
    } finally {
      this.roundRunning = false;
    }
  }

  private sendHeartbeat(): void {
    const round = this.lastRound;
    if (!round || !this.connection.isOpen) return;
    const healthy = round.components.every((c) => c.healthy);
    this.seq += 1;
    this.connection.send({
      type: 'heartbeat',
      seq: this.seq,
      sentAt: Date.now(),
      healthy,
      components: round.components,
      role: this.executor.role,
      epoch: this.executor.epoch,
      ...(this.config.peers.length > 0 ? { peers: round.peers } : {}),
    });
  }

  private onOpen(): void {
    this.connection.send({
      type: 'hello',
      protocol: AGENT_PROTOCOL_VERSION,
      agentVersion: this.version,
      hostname: hostname().slice(0, 255),
      intervalMs: this.config.intervalMs,
      role: this.executor.role,
      epoch: this.executor.epoch,
    });
    // The server hears how the node is right away, not one interval later.
    this.sendHeartbeat();
  }

  private onMessage(message: ServerMessage): void {
    if (message.type === 'welcome') {
      this.nodeName = message.nodeName;
      this.log.info('server welcomed this agent', { node: message.nodeName, nodeId: message.nodeId });
    } else if (message.type === 'error') {
      this.log.warn('server reported an error', { code: message.code, message: message.message });
    } else {
      void this.onCommand(message);
    }
  }

  private async onCommand(message: CommandMessage): Promise<void> {
    try {
      const result = await this.executor.handle(message);
      if (!result) return;
      // If the socket dropped meanwhile the result is on disk; the server re-sends and gets it replayed.
      if (!this.connection.send(result)) {
        this.log.warn('command result not sent: disconnected; it will be replayed', { commandId: message.commandId });
      }
    } catch (error) {
      this.log.error('command failed inside the agent', { commandId: message.commandId, error });
    }
  }
}
