/**
 * What nodes tell each other about their sessions, on the cluster's presence subject (JSON).
 * Every message names its node and that process's epoch (a random id per start), so a restarted
 * node with the same id is never mixed up with its previous life.
 *
 * - delta: sessions that came up and went down in one event-loop turn; `seq` counts the node's
 *   deltas, so a receiver that missed one sees the gap.
 * - beat: every clusterHeartbeatMs, with the node's seq (a gap shows even without a next delta) and
 *   the addresses its clients may use.
 * - hello: a node joined, or (`rejoin`) its link to NATS is back; every other node answers with its
 *   snapshot, and after a rejoin sends its own sessions a NOTIFY: pushes the node routed while it
 *   was cut off were dropped, and a node whose own link stayed up has no other way to know.
 * - want: a node lost track of `target` and asks for its snapshot.
 * - snap: a node's sessions at its `seq`, in parts (one NATS message has a size limit).
 * - bye: a node stops; the others forget it at once.
 */
export type SessionRow = [sessionId: string, appId: string, userId: string, device: number, minor: number, deviceId: string];

export type PresenceMessage =
  | { t: 'delta'; node: string; epoch: string; seq: number; up: SessionRow[]; down: string[] }
  | { t: 'beat'; node: string; epoch: string; seq: number; addresses: string[] }
  | { t: 'hello'; node: string; epoch: string; rejoin?: boolean }
  | { t: 'want'; node: string; epoch: string; target: string }
  | { t: 'snap'; node: string; epoch: string; seq: number; part: number; parts: number; sessions: SessionRow[]; addresses: string[] }
  | { t: 'bye'; node: string; epoch: string };

const KINDS = new Set(['delta', 'beat', 'hello', 'want', 'snap', 'bye']);

export function encodePresence(message: PresenceMessage): Uint8Array {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** Parses a presence message; throws on anything that is not one (another program on our subject). */
export function decodePresence(data: Uint8Array): PresenceMessage {
  const value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<PresenceMessage>;
  if (typeof value !== 'object' || value === null || !KINDS.has(value.t ?? '') || typeof value.node !== 'string' || typeof value.epoch !== 'string') {
    throw new TypeError('not a presence message');
  }
  return value as PresenceMessage;
}
