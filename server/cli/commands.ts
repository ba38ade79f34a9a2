import { alertView } from '../contract/alerts.ts';
import { nodeList, nodeView, nodeWithToken } from '../contract/nodes.ts';
import { drillView, outcomeView, type PairView, pairView } from '../contract/pairs.ts';
import { ApiError, CliFailure } from './errors.ts';
import {
  renderAck,
  renderAlerts,
  renderBrake,
  renderDrill,
  renderEvents,
  renderNodes,
  renderNodeToken,
  renderOutcome,
  renderPair,
  renderPairs,
  renderRevoked,
  renderStatus,
} from './format.ts';
import type { ApiClient, ApiResponse } from './http.ts';
import { alertList, brakeView, eventPage, pairList, statusView } from './responses.ts';
import type { Command } from './specs.ts';

/**
 * Runs one parsed command against the API and returns what to print. Errors
 * are thrown (see errors.ts for their exit codes). Time and sleeping come in
 * through the context so `--wait` stays testable.
 */

export interface CommandContext {
  api: ApiClient;
  json: boolean;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const enc = encodeURIComponent;
const asJson = (raw: unknown) => `${JSON.stringify(raw, null, 2)}\n`;

/** Pairs are named by id or name; the API takes ids, so names are looked up in the list. */
async function findPair(api: ApiClient, ref: string): Promise<PairView> {
  const { data } = await api.get('/pairs', pairList);
  const pair = data.pairs.find((p) => p.id === ref) ?? data.pairs.find((p) => p.name === ref);
  if (!pair) {
    const known = data.pairs.map((p) => p.name).join(', ') || 'none yet';
    throw new CliFailure(`no pair named "${ref}" (pairs: ${known})`);
  }
  return pair;
}

async function findNode(api: ApiClient, ref: string) {
  const { data } = await api.get('/nodes', nodeList);
  const node = data.nodes.find((n) => n.id === ref) ?? data.nodes.find((n) => n.name === ref);
  if (!node) {
    const known = data.nodes.map((n) => n.name).join(', ') || 'none yet';
    throw new CliFailure(`no node named "${ref}" (nodes: ${known})`);
  }
  return node;
}

function print<T>(ctx: CommandContext, response: ApiResponse<T>, text: (data: T) => string): string {
  return ctx.json ? asJson(response.raw) : text(response.data);
}

/** --wait: poll the pair until its switchover has finished, then say how it ended. */
async function waitForSwitchover(ctx: CommandContext, started: PairView, target: string): Promise<string> {
  const id = started.switchover?.id ?? null;
  const targetName = started.members.find((m) => m.nodeId === target)?.name ?? target;
  // Three steps (prepare, demote, promote), each with the pair's command deadline, and some slack.
  const deadline = ctx.now() + 3 * started.commandTimeoutMs + 10_000;
  let pair = started;
  while (pair.switchover !== null && pair.switchover.id === id) {
    if (ctx.now() > deadline) {
      throw new CliFailure(`pair ${pair.name} is still switching (step ${pair.switchover.step}); stopped waiting`);
    }
    await ctx.sleep(250);
    pair = (await ctx.api.get(`/pairs/${enc(started.id)}`, pairView)).data;
  }
  if (pair.activeNodeId === target)
    return `${targetName} is now the active node of pair ${pair.name} (epoch ${pair.epoch})`;
  const failed = await ctx.api.get(`/pairs/${enc(pair.id)}/events?limit=1&kind=switchover-failed`, eventPage);
  const why = failed.data.events[0]?.message ?? 'see switchyard events';
  throw new CliFailure(`switchover of pair ${pair.name} to ${targetName} failed: ${why}`);
}

export async function runCommand(command: Command, ctx: CommandContext): Promise<string> {
  const { api } = ctx;
  switch (command.kind) {
    case 'help':
      return command.text;

    case 'status': {
      const r = await api.get('/status', statusView);
      return print(ctx, r, (s) => renderStatus(s, ctx.now()));
    }

    case 'nodes.list': {
      const r = await api.get('/nodes', nodeList);
      return print(ctx, r, (d) => renderNodes(d.nodes, ctx.now()));
    }
    case 'nodes.add': {
      const r = await api.post('/nodes', nodeWithToken, { name: command.name, address: command.address });
      return print(ctx, r, (d) => renderNodeToken(d, 'enrolled'));
    }
    case 'nodes.rotate-token': {
      const node = await findNode(api, command.node);
      const r = await api.post(`/nodes/${enc(node.id)}/token`, nodeWithToken);
      return print(ctx, r, (d) => renderNodeToken(d, 'rotated'));
    }
    case 'nodes.revoke-token': {
      const node = await findNode(api, command.node);
      const r = await api.delete(`/nodes/${enc(node.id)}/token`, nodeView);
      return print(ctx, r, renderRevoked);
    }

    case 'pairs.list': {
      const r = await api.get('/pairs', pairList);
      return print(ctx, r, (d) => renderPairs(d.pairs));
    }
    case 'pairs.show': {
      const pair = await findPair(api, command.pair);
      const r = await api.get(`/pairs/${enc(pair.id)}`, pairView);
      return print(ctx, r, (p) => renderPair(p, ctx.now()));
    }
    case 'pairs.link': {
      const r = await api.post('/pairs', pairView, {
        name: command.name,
        primary: command.primary,
        secondary: command.secondary,
        ...(command.weights ? { weights: command.weights } : {}),
        ...(command.profile ? { profile: command.profile } : {}),
      });
      return print(
        ctx,
        r,
        (p) =>
          `pair ${p.name} linked (id ${p.id}); auto-failover is off until you enable it: switchyard auto-failover ${p.name} on\n${renderPair(p, ctx.now())}`,
      );
    }

    case 'switchover': {
      const pair = await findPair(api, command.pair);
      const r = await api.post(`/pairs/${enc(pair.id)}/switchover`, outcomeView, {
        to: command.node,
        force: command.force,
        ...(command.confirm !== null ? { confirmation: command.confirm } : {}),
      });
      if (!command.wait) return print(ctx, r, renderOutcome);
      const target = r.data.pair.switchover?.to ?? null;
      const ended = target === null ? r.data.message : await waitForSwitchover(ctx, r.data.pair, target);
      if (ctx.json) return asJson((await api.get(`/pairs/${enc(pair.id)}`, pairView)).raw);
      return `${r.data.message}\n${ended}\n`;
    }
    case 'auto-failover': {
      const pair = await findPair(api, command.pair);
      try {
        const r = await api.put(`/pairs/${enc(pair.id)}/auto-failover`, outcomeView, {
          enabled: command.enabled,
          ...(command.reason !== null ? { reason: command.reason } : {}),
        });
        return print(ctx, r, renderOutcome);
      } catch (error) {
        // The server says "with a reason"; say how to give one here.
        if (error instanceof ApiError && error.body.code === 'FAILOVER_NOT_ACKNOWLEDGED' && command.reason === null) {
          throw new ApiError(error.status, { ...error.body, message: `${error.body.message}: add --reason "..."` });
        }
        throw error;
      }
    }
    case 'maintenance': {
      const pair = await findPair(api, command.pair);
      const r = await api.put(`/pairs/${enc(pair.id)}/maintenance`, outcomeView, { enabled: command.enabled });
      return print(ctx, r, renderOutcome);
    }
    case 'events': {
      const pair = await findPair(api, command.pair);
      const query = new URLSearchParams({ limit: String(command.limit) });
      if (command.before !== null) query.set('before', String(command.before));
      if (command.eventKind !== null) query.set('kind', command.eventKind);
      const r = await api.get(`/pairs/${enc(pair.id)}/events?${query}`, eventPage);
      return print(ctx, r, (d) => renderEvents(pair.name, d.events, d.nextBefore));
    }
    case 'drill': {
      const pair = await findPair(api, command.pair);
      const r = await api.post(`/pairs/${enc(pair.id)}/drill`, drillView, { node: command.node });
      const node = pair.members.find((m) => m.nodeId === command.node || m.name === command.node);
      return print(ctx, r, (d) => renderDrill(pair.name, node?.name ?? command.node, d));
    }

    case 'alerts': {
      const query = new URLSearchParams({ state: command.all ? 'all' : 'open' });
      if (command.pair !== null) query.set('pair', (await findPair(api, command.pair)).id);
      if (command.limit !== null) query.set('limit', String(command.limit));
      const r = await api.get(`/alerts?${query}`, alertList);
      if (ctx.json) return asJson(r.raw);
      // Alerts carry ids; people read names.
      const [pairs, nodes] = await Promise.all([api.get('/pairs', pairList), api.get('/nodes', nodeList)]);
      const names = {
        pairs: new Map(pairs.data.pairs.map((p) => [p.id, p.name])),
        nodes: new Map(nodes.data.nodes.map((n) => [n.id, n.name])),
      };
      return renderAlerts(r.data.alerts, names, ctx.now(), command.all);
    }
    case 'ack': {
      const r = await api.post(`/alerts/${command.alertId}/ack`, alertView, { comment: command.comment });
      return print(ctx, r, renderAck);
    }

    case 'brake.show': {
      const r = await api.get('/brake', brakeView);
      return print(ctx, r, (b) => renderBrake(b));
    }
    case 'brake.release': {
      const r = await api.post('/brake/release', brakeView);
      return print(ctx, r, (b) => renderBrake(b, true));
    }
  }
}
