import { connect as netConnect, type Socket } from 'node:net';
import { ErrorCode, MagpieError, type Clock, type TimerHandle } from '../../protocol';
import type { AddressBook, ResolvedAddress } from './address-book';
import type { EngineTuning } from './tuning';

/**
 * Staggered connect racing (Happy Eyeballs, RFC 8305, across a server list): start the first
 * address, start the next after staggerMs or at once when one fails, keep the first that
 * connects and destroy every other. The connect function is given, so the race works the same for
 * TCP, TLS, or a connect that also waits for the server's first answer.
 */
export interface Destroyable {
  destroy(): void;
}

/** Opens a connection to one address; rejects on failure and gives up when the signal aborts. */
export type ConnectFn<S extends Destroyable> = (address: ResolvedAddress, signal: AbortSignal) => Promise<S>;

export interface RaceFailure {
  readonly address: ResolvedAddress;
  readonly error: unknown;
}

export interface RaceResult<S> {
  readonly socket: S;
  readonly address: ResolvedAddress;
  /** From the start of the winning attempt to its connection. */
  readonly connectMs: number;
  /** Attempts that failed before the winner connected. */
  readonly failures: readonly RaceFailure[];
}

export interface RaceOptions {
  readonly clock: Clock;
  readonly staggerMs: number;
  /** One attempt is aborted after this long. */
  readonly attemptTimeoutMs: number;
  readonly signal?: AbortSignal;
  /** Told about each failure as it happens (the racer bans it). */
  readonly onFailure?: (failure: RaceFailure) => void;
  /** Addresses left out of the race because their name did not resolve: named when it fails. */
  readonly unresolved?: readonly UnresolvedAddress[];
}

export interface UnresolvedAddress {
  readonly key: string;
  readonly error: unknown;
}

interface Attempt {
  readonly address: ResolvedAddress;
  readonly controller: AbortController;
  readonly startedMs: number;
  timeout: TimerHandle | undefined;
}

export function raceConnects<S extends Destroyable>(
  candidates: readonly ResolvedAddress[],
  connect: ConnectFn<S>,
  options: RaceOptions,
): Promise<RaceResult<S>> {
  const { clock } = options;
  return new Promise<RaceResult<S>>((resolve, reject) => {
    const attempts: Attempt[] = [];
    const failures: RaceFailure[] = [];
    let settled = false;
    let staggerTimer: TimerHandle | undefined;

    const stopAll = (): void => {
      settled = true;
      if (staggerTimer) clock.clearTimeout(staggerTimer);
      for (const attempt of attempts) {
        if (attempt.timeout) clock.clearTimeout(attempt.timeout);
        attempt.controller.abort(new MagpieError(ErrorCode.CANCELLED, 'another address connected first'));
      }
      options.signal?.removeEventListener('abort', onAbort);
    };

    const onAbort = (): void => {
      if (settled) return;
      stopAll();
      reject(new MagpieError(ErrorCode.CANCELLED, 'connect cancelled', { cause: options.signal?.reason }));
    };

    const failIfDone = (): void => {
      const running = attempts.length - failures.length;
      if (settled || running > 0 || attempts.length < candidates.length) return;
      stopAll();
      const unresolved = options.unresolved ?? [];
      const detail = [
        ...unresolved.map((u) => `${u.key}: ${errorText(u.error)}`),
        ...failures.map((f) => `${f.address.key}: ${errorText(f.error)}`),
      ].join('; ');
      // a server that is not who its address says, or a port of the other transport, is a
      // configuration error, not an outage: say so
      const misconfigured = failures.find((f) => f.error instanceof MagpieError && CONFIGURATION_CODES.has(f.error.code))?.error as MagpieError | undefined;
      if (misconfigured) {
        reject(
          new MagpieError(misconfigured.code, misconfigured.message, {
            cause: new AggregateError(failures.map((f) => f.error)),
            ...(misconfigured.address === undefined ? {} : { address: misconfigured.address }),
          }),
        );
        return;
      }
      reject(
        new MagpieError(ErrorCode.NOT_CONNECTED, `no server address could be reached (${detail || 'none configured'})`, {
          cause: new AggregateError([...unresolved.map((u) => u.error), ...failures.map((f) => f.error)]),
        }),
      );
    };

    const startNext = (): void => {
      if (staggerTimer) clock.clearTimeout(staggerTimer);
      staggerTimer = undefined;
      if (settled || attempts.length >= candidates.length) return;
      const address = candidates[attempts.length]!;
      const attempt: Attempt = { address, controller: new AbortController(), startedMs: clock.now(), timeout: undefined };
      attempts.push(attempt);
      attempt.timeout = clock.setTimeout(() => {
        attempt.controller.abort(
          new MagpieError(ErrorCode.REQUEST_TIMEOUT, `connect to ${address.key} timed out after ${options.attemptTimeoutMs} ms`),
        );
      }, options.attemptTimeoutMs);
      if (attempts.length < candidates.length) staggerTimer = clock.setTimeout(startNext, options.staggerMs);

      let outcome: Promise<S>;
      try {
        outcome = connect(address, attempt.controller.signal);
      } catch (error) {
        outcome = Promise.reject(error);
      }
      // a connect that ignores its signal still loses when the timeout fires
      const aborted = new Promise<never>((_, rejectAttempt) => {
        const signal = attempt.controller.signal;
        if (signal.aborted) rejectAttempt(signal.reason);
        else signal.addEventListener('abort', () => rejectAttempt(signal.reason), { once: true });
      });
      outcome.then(
        (socket) => {
          if (attempt.timeout) clock.clearTimeout(attempt.timeout);
          if (settled || attempt.controller.signal.aborted) {
            socket.destroy();
            return;
          }
          const connectMs = clock.now() - attempt.startedMs;
          stopAll();
          resolve({ socket, address, connectMs, failures });
        },
        () => undefined,
      );
      Promise.race([outcome, aborted]).then(
        () => undefined,
        (error: unknown) => {
          if (attempt.timeout) clock.clearTimeout(attempt.timeout);
          if (settled) return;
          const failure = { address, error };
          failures.push(failure);
          options.onFailure?.(failure);
          startNext();
          failIfDone();
        },
      );
    };

    if (options.signal?.aborted) {
      reject(new MagpieError(ErrorCode.CANCELLED, 'connect cancelled', { cause: options.signal.reason }));
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    startNext();
    failIfDone();
  });
}

export interface AddressRacer<S extends Destroyable> {
  /** Races the book's candidates; the winner is remembered and every failed address banned. */
  connect(signal?: AbortSignal): Promise<RaceResult<S>>;
}

export interface AddressRacerDeps<S extends Destroyable> {
  readonly book: AddressBook;
  readonly connect: ConnectFn<S>;
  readonly clock: Clock;
  readonly tuning: Pick<EngineTuning, 'connectStaggerMs' | 'connectTimeoutMs'>;
}

export function createAddressRacer<S extends Destroyable>(deps: AddressRacerDeps<S>): AddressRacer<S> {
  return {
    async connect(signal) {
      const unresolved: UnresolvedAddress[] = [];
      const candidates = await deps.book.candidates((address, error) =>
        unresolved.push({ key: address.key, error: new Error(`the name ${address.host} does not resolve (${errorText(error)})`, { cause: error }) }),
      );
      const result = await raceConnects(candidates, deps.connect, {
        unresolved,
        clock: deps.clock,
        staggerMs: deps.tuning.connectStaggerMs,
        attemptTimeoutMs: deps.tuning.connectTimeoutMs,
        signal,
        onFailure: (failure) => deps.book.ban(failure.address.key),
      });
      deps.book.recordWin(result.address.key, result.connectMs);
      return result;
    },
  };
}

/** A plain TCP ConnectFn: resolves on 'connect', destroys the socket when aborted. */
export function connectTcp(address: ResolvedAddress, signal: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host: address.ip, port: address.port, family: address.family });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });
}

/**
 * The race failed because nothing listened: every address refused the TCP connect (ECONNREFUSED,
 * the server stopped or restarting), none timed out or answered wrongly. Such an attempt cost the
 * server nothing, which the reconnect delay may take into account.
 */
export function nothingListened(error: unknown): boolean {
  if (!(error instanceof MagpieError) || error.code !== ErrorCode.NOT_CONNECTED) return false;
  const causes = error.cause instanceof AggregateError ? (error.cause.errors as unknown[]) : [];
  return causes.length > 0 && causes.every((cause) => (cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Failures that name a wrong address rather than an outage, reported in the race's place. */
const CONFIGURATION_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CERTIFICATE_REJECTED,
  ErrorCode.TLS_REQUIRED,
  ErrorCode.TLS_UNAVAILABLE,
  ErrorCode.NOT_MAGPIE_PORT,
]);
