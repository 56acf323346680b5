import type { Logger } from 'pino';
import { isMagpieError } from '../../protocol';
import { isRetryableSendError } from '../engine/outbox-sender';
import type { UnsentReadStore } from '../store';

export interface ReadMark {
  readonly conversation: string;
  readonly upToMsgId: number;
}

/**
 * READs that must reach the server even when made offline (a chat read from the store, a
 * burn-after-reading message opened): each mark is written to the store first, sent when online,
 * and deleted once the server answers. What the link loses goes again after the next login, in
 * this run or the next one.
 */
export function createUnsentReads(deps: {
  store: UnsentReadStore;
  online: () => boolean;
  request: (mark: ReadMark) => Promise<unknown>;
  now: () => number;
  log: Logger;
}) {
  function done(mark: ReadMark): void {
    try {
      deps.store.accepted(mark.conversation, mark.upToMsgId);
    } catch (error) {
      // the store closed under the answer (the app quit): the READ goes again next time, harmlessly
      deps.log.debug({ err: error }, 'read mark answered after the store closed');
    }
  }

  function send(mark: ReadMark): void {
    deps.request(mark).then(
      () => done(mark),
      (error: unknown) => {
        // a cut link or a busy server: kept for the next login
        if (isMagpieError(error) && isRetryableSendError(error.code)) return;
        // refused (no longer in the group, a message gone): asking again cannot change the answer
        deps.log.warn({ err: error, conversation: mark.conversation }, 'the server refused a read mark; dropped');
        done(mark);
      },
    );
  }

  return {
    /** Keeps the mark until the server has it; sends it now when online. */
    mark(mark: ReadMark): void {
      deps.store.raise(mark.conversation, mark.upToMsgId, deps.now());
      if (deps.online()) send(mark);
    },
    /** Sends every waiting mark: called as each login comes online. */
    flush(): void {
      for (const mark of deps.store.all()) send(mark);
    },
  };
}

export type UnsentReads = ReturnType<typeof createUnsentReads>;
