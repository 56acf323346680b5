import { newClientMsgId } from '../../protocol';
import type { PendingCreateStore } from '../store';

/**
 * How long a create that was not answered keeps its request id for a repeat of it: well inside
 * the server's day (docs/server.md "Groups"), and long enough for a person to press Create again
 * after an apparent failure.
 */
export const CREATE_ID_MEMORY_MS = 10 * 60_000;

/** Unanswered creates remembered at once; the oldest is forgotten first. */
export const MAX_REMEMBERED_CREATES = 32;

/**
 * The request ids of group creates not yet answered, by what they ask for. One user action gets
 * one id: the core's retries across reconnects reuse it, and so does the same create asked again
 * while the first is unanswered or after it failed (the user pressed Create again because the
 * first seemed to fail), in this run or after a restart of the app or the CLI (the ids are in the
 * client store, written before the create goes out): the server answers it with the group the
 * first made, if it made one. An answered create forgets its id, so the same settings asked after
 * a success make a new group.
 */
export interface GroupCreateIds {
  /** The id for a create of these settings: the one an unanswered create of them had, or a new one. */
  idFor(settingsKey: string): Uint8Array;
  /** The create was answered with its group: a create of the same settings is a new action. */
  answered(settingsKey: string): void;
}

export function createGroupCreateIds(pending: PendingCreateStore, now: () => number): GroupCreateIds {
  return {
    idFor(settingsKey) {
      const nowMs = now();
      pending.forgetOutside(nowMs - CREATE_ID_MEMORY_MS + 1, nowMs + CREATE_ID_MEMORY_MS);
      const kept = pending.get(settingsKey);
      if (kept !== undefined) return kept.requestId;
      const requestId = newClientMsgId(nowMs);
      // kept before it is sent: a crash before the answer leaves it for the next run's create
      pending.keep(settingsKey, { requestId, sinceMs: nowMs }, MAX_REMEMBERED_CREATES);
      return requestId;
    },
    answered(settingsKey) {
      pending.forget(settingsKey);
    },
  };
}
