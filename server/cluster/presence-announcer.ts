import type { PresenceMessage, SessionRow } from './presence-messages';

/**
 * This node's side of presence: its sessions, and the messages that tell the other nodes about
 * them. Changes of one event-loop turn leave as one delta (the caller drains them once a turn).
 */
export interface PresenceAnnouncer {
  up(row: SessionRow): void;
  down(sessionId: string): void;
  /** The changes since the last call as one delta, or undefined if there were none. */
  takeDelta(): Extract<PresenceMessage, { t: 'delta' }> | undefined;
  /** Every session now, in parts of at most `rowsPerPart`; it covers the pending changes too. */
  snapshot(addresses: string[], rowsPerPart: number): Extract<PresenceMessage, { t: 'snap' }>[];
  beat(addresses: string[]): Extract<PresenceMessage, { t: 'beat' }>;
  readonly size: number;
}

export function createPresenceAnnouncer(node: string, epoch: string): PresenceAnnouncer {
  const sessions = new Map<string, SessionRow>();
  /** Sessions that came up this turn (a session up and down in one turn is never announced). */
  const cameUp = new Map<string, SessionRow>();
  const wentDown = new Set<string>();
  let seq = 0;

  return {
    get size() {
      return sessions.size;
    },
    up(row) {
      sessions.set(row[0], row);
      cameUp.set(row[0], row);
    },
    down(sessionId) {
      if (!sessions.delete(sessionId)) return;
      if (!cameUp.delete(sessionId)) wentDown.add(sessionId);
    },
    takeDelta() {
      if (cameUp.size === 0 && wentDown.size === 0) return undefined;
      seq++;
      const delta = { t: 'delta' as const, node, epoch, seq, up: [...cameUp.values()], down: [...wentDown] };
      cameUp.clear();
      wentDown.clear();
      return delta;
    },
    snapshot(addresses, rowsPerPart) {
      // the snapshot says what a delta of these changes would: the seq moves as if it was sent
      if (cameUp.size > 0 || wentDown.size > 0) seq++;
      cameUp.clear();
      wentDown.clear();
      const rows = [...sessions.values()];
      const parts = Math.max(1, Math.ceil(rows.length / rowsPerPart));
      const out: Extract<PresenceMessage, { t: 'snap' }>[] = [];
      for (let part = 0; part < parts; part++) {
        out.push({ t: 'snap', node, epoch, seq, part, parts, sessions: rows.slice(part * rowsPerPart, (part + 1) * rowsPerPart), addresses });
      }
      return out;
    },
    beat(addresses) {
      return { t: 'beat', node, epoch, seq, addresses };
    },
  };
}
