import { useSyncExternalStore } from 'react';
import type { AlertView } from '../../../server/contract/alerts.ts';
import { type LiveMessage, liveMessage } from '../../../server/contract/live.ts';
import type { PairView } from '../../../server/contract/pairs.ts';

/**
 * The live feed (/api/v1/live) as one store: pairs, open alerts and each
 * node's last heartbeat, kept current without reloads. Reconnects with a
 * capped backoff when the server restarts.
 */
export interface LiveState {
  connected: boolean;
  pairs: Record<string, PairView>;
  alerts: AlertView[];
  heartbeats: Record<string, { lastHeartbeatAt: string | null; healthy: boolean | null; connected: boolean }>;
}

let state: LiveState = { connected: false, pairs: {}, alerts: [], heartbeats: {} };
const listeners = new Set<() => void>();
let socket: WebSocket | null = null;
let attempt = 0;
let users = 0;
let retry: ReturnType<typeof setTimeout> | undefined;

function set(next: Partial<LiveState>) {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

function apply(m: LiveMessage) {
  switch (m.type) {
    case 'snapshot':
      set({ pairs: Object.fromEntries(m.pairs.map((p) => [p.id, p])), alerts: m.alerts });
      return;
    case 'pair':
      set({ pairs: { ...state.pairs, [m.pair.id]: m.pair } });
      return;
    case 'pair-removed': {
      const { [m.pairId]: _gone, ...rest } = state.pairs;
      set({ pairs: rest });
      return;
    }
    case 'alerts':
      set({ alerts: m.alerts });
      return;
    case 'heartbeats':
      set({ heartbeats: Object.fromEntries(m.nodes.map((n) => [n.nodeId, n])) });
      return;
    case 'signal':
      return;
  }
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    attempt = 0;
    set({ connected: true });
  };
  ws.onmessage = (event) => {
    const parsed = liveMessage.safeParse(JSON.parse(String(event.data)));
    if (parsed.success) apply(parsed.data);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    set({ connected: false });
    if (users > 0) {
      const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      retry = setTimeout(connect, delay);
    }
  };
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  users += 1;
  if (!socket) connect();
  return () => {
    listeners.delete(listener);
    users -= 1;
    if (users === 0) {
      clearTimeout(retry);
      const ws = socket;
      socket = null;
      ws?.close();
    }
  };
}

export function useLive(): LiveState {
  return useSyncExternalStore(subscribe, () => state);
}

/** A pair fetched by a page is also fresh data for the store. */
export function rememberPair(pair: PairView) {
  set({ pairs: { ...state.pairs, [pair.id]: pair } });
}
