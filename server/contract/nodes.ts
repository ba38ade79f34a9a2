import { z } from 'zod';
import { componentResult, nodeRole, peerReport } from './agent-protocol.ts';

/**
 * REST bodies of the node routes (`/api/v1/nodes`), shared by the server,
 * the web UI and the tests. Times are ISO 8601 strings in UTC.
 */

export const nodeName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/i,
    'must be 1 to 63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  );

export const nodeAddress = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[^\s/]+$/, 'must be a host name or an IP address (no spaces, no slashes)');

const labelKey = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/i;
export const nodeLabels = z
  .record(
    z.string().regex(labelKey, 'label names are 1 to 63 letters, digits, ".", "_", "/" or "-"'),
    z.string().max(200, 'label values are at most 200 characters'),
  )
  .refine((labels) => Object.keys(labels).length <= 32, 'at most 32 labels');
export type NodeLabels = z.infer<typeof nodeLabels>;

export const createNodeBody = z.strictObject({
  name: nodeName,
  address: nodeAddress,
  labels: nodeLabels.default({}),
});
export type CreateNodeBody = z.infer<typeof createNodeBody>;

export const nodeIdParams = z.object({ id: z.string().min(1).max(100) });

const isoTime = z.string();

export const heartbeatVia = z.enum(['websocket', 'http']);
export type HeartbeatVia = z.infer<typeof heartbeatVia>;

/** The last heartbeat the server received from a node; `receivedAt` is the server's clock. */
export const lastHeartbeatView = z.object({
  receivedAt: isoTime,
  via: heartbeatVia,
  seq: z.number().int(),
  healthy: z.boolean(),
  components: z.array(componentResult),
  role: nodeRole,
  epoch: z.number().int(),
  peers: z.array(peerReport).optional(),
});
export type LastHeartbeatView = z.infer<typeof lastHeartbeatView>;

export const nodeView = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  labels: z.record(z.string(), z.string()),
  agentVersion: z.string().nullable(),
  /** an agent holds a WebSocket to this server right now */
  connected: z.boolean(),
  lastHeartbeat: lastHeartbeatView.nullable(),
  token: z.object({
    state: z.enum(['active', 'revoked']),
    createdAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
  }),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type NodeView = z.infer<typeof nodeView>;

export const nodeList = z.object({ nodes: z.array(nodeView) });

/** Answer of create and rotate: the token is shown this once and never again. */
export const nodeWithToken = z.object({ node: nodeView, token: z.string() });

export const heartbeatAccepted = z.object({ accepted: z.literal(true), receivedAt: isoTime });
