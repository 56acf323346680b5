/**
 * What every slice of the handler table needs from the core: the signed-in session (if any), the
 * page's events, and the few effects more than one slice shares. Each slice is a small factory
 * (`createXHandlers(deps)`) returning its methods; magpie-core.ts composes them.
 */
import type { Logger } from 'pino';
import { ErrorCode, MagpieError } from '../../../protocol';
import type { EventName, EventPayloads, ServerLimits } from '../../../preload/api';
import type { ApiHandlers } from '../../api/dispatch';
import type { ConnectionStatus } from '../../engine/client-connection';
import type { Session } from '../session';

/** One feature's part of the contract: exactly the methods named by K. */
export type HandlerSlice<K extends keyof ApiHandlers> = Pick<ApiHandlers, K>;

export interface CoreDeps {
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
  readonly log: Logger;
  /** The signed-in session, or undefined. */
  current(): Session | undefined;
  /** The signed-in session, or NOT_LOGGED_IN. */
  requireSession(): Session;
  /** Tells the page one conversation's row changed (if it exists). */
  emitConversation(session: Session, id: string): void;
  /** Asks for profiles not yet known here; never rejects. */
  fetchProfiles(session: Session, userIds: readonly string[]): Promise<void>;
  /** The user ids among `ids` the store has no profile for (groups skipped). */
  unknownUsers(session: Session, ids: Iterable<string>): string[];
}

export function requireSessionOf(current: () => Session | undefined): Session {
  const session = current();
  if (!session) throw new MagpieError(ErrorCode.NOT_LOGGED_IN, 'sign in first');
  return session;
}

/**
 * The status as the page sees it; online, with the limits the server's login told; in any state,
 * the server's time now once a login told it (ServerClock.reading).
 */
export function toConnectionInfo(status: ConnectionStatus, limits?: ServerLimits, serverTimeMs?: number): EventPayloads['connection.state'] {
  const info: EventPayloads['connection.state'] = { state: status.state };
  if (status.reason !== undefined) info.reason = status.reason;
  if (status.code !== undefined) info.code = status.code;
  if (status.heartbeatMs !== undefined) info.heartbeatMs = status.heartbeatMs;
  if (status.server !== undefined) info.server = status.server;
  if (status.state === 'online' && limits !== undefined) info.limits = limits;
  if (serverTimeMs !== undefined) info.serverTimeMs = serverTimeMs;
  return info;
}

/** For the calls whose contract answers nothing: null once the work is done. */
export async function answerNothing(work: Promise<unknown>): Promise<null> {
  await work;
  return null;
}
