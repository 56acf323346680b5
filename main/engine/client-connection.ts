import type { InitOf } from '../../protocol';
import {
  DEFAULT_WIRE_LIMITS,
  ErrorCode,
  MagpieError,
  pb,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type Clock,
  type DecodedFrame,
  type TimerHandle,
  type WireLimits,
} from '../../protocol';
import { createAddressBook, type AddressBook, type ResolvedAddress } from './address-book';
import { createAddressRacer, nothingListened, type ConnectFn } from './address-racer';
import { acceptAdvertised, addressText, type AcceptedAdvertised } from './advertised-addresses';
import { createHeartbeatPolicy, type HeartbeatPolicy } from './heartbeat-policy';
import { createPasswordLogin, isPasswordLogin } from './password-login';
import { Link } from './link';
import { timedLogin, type LoginExchange } from './login-exchange';
import { createReconnectBackoff, type ReconnectBackoff } from './reconnect-backoff';
import { createTransportConnect, type TransportOptions, type TransportSocket } from './transport';
import type { EngineTuning } from './tuning';

export type ConnectionStateName = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'kicked';

export interface ConnectionStatus {
  readonly state: ConnectionStateName;
  readonly reason?: string;
  readonly code?: number;
  readonly heartbeatMs?: number;
  /** Online: the server's address. Reconnecting or offline: the address the failure is about, where it names one. */
  readonly server?: string;
}

/** A link that has said HELLO and heard back: what a connect race hands the winner. */
interface OpenedLink {
  readonly link: Link;
  destroy(): void;
}

export interface ClientConnectionDeps {
  readonly addresses: readonly string[];
  /** Addresses a server advertised in an earlier session (checked again here), raced after addresses. */
  readonly learned?: readonly string[];
  readonly login: InitOf<'LOGIN'>;
  readonly tuning: EngineTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly limits?: WireLimits;
  /** TLS trust and the plain-TCP policy for the addresses; TLS off this machine by default. */
  readonly transport?: TransportOptions;
  readonly connect?: ConnectFn<TransportSocket>;
  readonly clientName?: string;
  /**
   * Runs after each successful login, before the state turns online (the sync engine's catch-up
   * starts here); `exchange` times the LOGIN's round trip for the server clock.
   */
  readonly onLogin: (result: pb.LoginResult, link: Link, exchange: LoginExchange) => void;
  readonly onPush: (frame: DecodedFrame) => void;
  /** Told what came of the advertised addresses: at construction (the remembered ones) and at each login that names some. */
  readonly onAdvertised?: (outcome: AcceptedAdvertised) => void;
  readonly onStatus: (status: ConnectionStatus) => void;
}

/** Failures that retrying cannot fix: the user must change something first. */
const PERMANENT_LOGIN_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CERTIFICATE_REJECTED,
  ErrorCode.WRONG_PASSWORD,
  ErrorCode.TOKEN_AUTH_FAILED,
  ErrorCode.APP_NOT_FOUND,
  ErrorCode.APP_OFFLINE,
  ErrorCode.SUB_ACCOUNT_CLOSED,
  ErrorCode.INVALID_USER_ID,
  ErrorCode.SIGNATURE_EXPIRED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.USER_NOT_FOUND,
  ErrorCode.ACCOUNT_NOT_FOUND,
  ErrorCode.SERVER_PROOF_FAILED,
]);

/**
 * Final at the first login only: the user already has as many sessions of this kind as the server
 * allows, and must log in with force or end one. On a reconnect the count may still hold our own
 * previous session (the server has not yet noticed it gone), so there it is retried.
 */
const FIRST_LOGIN_FINAL_CODES: ReadonlySet<number> = new Set([ErrorCode.TOO_MANY_SESSIONS_FOR_USER]);

/**
 * Never final (the user can do nothing about them, and they clear as others log out), but retried
 * after capacityBackoffMs, not the short reconnect delays: the server is full for this address or app.
 */
const CAPACITY_CODES: ReadonlySet<number> = new Set([ErrorCode.TOO_MANY_SESSIONS_FROM_ADDRESS, ErrorCode.TOO_MANY_SESSIONS_FOR_APP]);

/**
 * The long-lived connection: races the server addresses, says HELLO and logs in, keeps the link
 * alive with an adaptive heartbeat, and reconnects with backoff until stopped or kicked.
 */
export class ClientConnection {
  private readonly book: AddressBook;
  private readonly heartbeat: HeartbeatPolicy;
  private readonly backoff: ReconnectBackoff;
  private readonly limits: WireLimits;
  private readonly passwordLogin = createPasswordLogin();
  private readonly connectSocket: ConnectFn<TransportSocket>;
  private link: Link | undefined;
  private status: ConnectionStatus = { state: 'idle' };
  private running = false;
  private attempt: AbortController | undefined;
  private retryTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private heartbeatDeadline: TimerHandle | undefined;
  /** The ping under way was sent out of turn, for a request that timed out: not a heartbeat the policy learns from. */
  private probing = false;
  /** When the link last brought a frame (any frame), by the local clock. */
  private lastActivityMs = 0;
  private loggedInOnce = false;
  private firstLogin: { resolve: (r: pb.LoginResult) => void; reject: (e: MagpieError) => void } | undefined;

  constructor(private readonly deps: ClientConnectionDeps) {
    this.book = createAddressBook({ addresses: deps.addresses, clock: deps.clock, tuning: deps.tuning, policy: deps.transport ?? {} });
    if (deps.learned && deps.learned.length > 0) this.learn(deps.learned);
    this.connectSocket = deps.connect ?? createTransportConnect(deps.transport);
    this.heartbeat = createHeartbeatPolicy({ tuning: deps.tuning, clock: deps.clock });
    this.backoff = createReconnectBackoff({ tuning: deps.tuning, random: deps.random });
    this.limits = deps.limits ?? DEFAULT_WIRE_LIMITS;
  }

  get current(): ConnectionStatus {
    return this.status;
  }

  get heartbeatIntervalMs(): number {
    return this.heartbeat.currentIntervalMs;
  }

  /** The advertised addresses this connection races after the configured ones, written out in full. */
  get learnedAddresses(): string[] {
    return this.book.learned.map(addressText);
  }

  /** The link while online, for requests. */
  get onlineLink(): Link | undefined {
    return this.status.state === 'online' ? this.link : undefined;
  }

  /**
   * Starts connecting. Resolves with the first login's result; rejects when that login fails for
   * a reason retrying cannot fix (a wrong password, say). Later losses reconnect on their own.
   */
  start(): Promise<pb.LoginResult> {
    if (this.running) return Promise.reject(new MagpieError(ErrorCode.ALREADY_LOGGED_IN, 'already started'));
    this.running = true;
    const first = new Promise<pb.LoginResult>((resolve, reject) => {
      this.firstLogin = { resolve, reject };
    });
    this.setStatus({ state: 'connecting' });
    void this.connectOnce();
    return first;
  }

  /** Stops for good: closes the link, cancels timers, no reconnect. */
  stop(reason = 'stopped'): void {
    this.running = false;
    this.clearTimers();
    this.attempt?.abort(new MagpieError(ErrorCode.CANCELLED, reason));
    const link = this.link;
    this.link = undefined;
    link?.close();
    if (this.status.state !== 'kicked') this.setStatus({ state: 'offline', reason });
    this.rejectFirst(new MagpieError(ErrorCode.CANCELLED, reason));
  }

  /** The shell saw the network come back: reconnect now rather than after the backoff delay. */
  networkUp(): void {
    this.backoff.onNetworkUp();
    this.heartbeat.onNetworkChange();
    if (!this.running || this.link || this.attempt) return;
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.connectOnce();
  }

  private async connectOnce(): Promise<void> {
    if (!this.running) return;
    const controller = new AbortController();
    this.attempt = controller;
    // the race is won by the first server to answer HELLO, not the first TCP accept: a proxy or
    // balancer that accepts fast but forwards slowly (or nowhere) must not win
    const racer = createAddressRacer<OpenedLink>({
      book: this.book,
      connect: (address, signal) => this.openLink(address, signal),
      clock: this.deps.clock,
      tuning: this.deps.tuning,
    });
    let link: Link | undefined;
    try {
      const { socket: opened, address } = await racer.connect(controller.signal);
      link = opened.link;
      if (!this.running) {
        link.close();
        return;
      }
      this.link = link;
      const exchange = await this.login(link);
      const { result } = exchange;
      if (!this.running || this.link !== link) return;
      this.attempt = undefined;
      this.loggedInOnce = true;
      this.backoff.onConnected();
      this.heartbeat.onServerIdleTimeout(result.idleTimeoutMs);
      // an empty list: this server advertises nothing, and what was learned before still holds
      if (result.advertisedAddresses.length > 0) this.learn(result.advertisedAddresses);
      this.deps.onLogin(result, link, exchange);
      this.setStatus({ state: 'online', heartbeatMs: this.heartbeat.currentIntervalMs, server: address.key });
      this.scheduleHeartbeat();
      this.firstLogin?.resolve(result);
      this.firstLogin = undefined;
    } catch (error) {
      this.attempt = undefined;
      const magpieError = error instanceof MagpieError ? error : new MagpieError(ErrorCode.NOT_CONNECTED, String(error));
      if (link && this.link === link) {
        this.link = undefined;
        link.close();
      }
      if (!this.running) return;
      if (PERMANENT_LOGIN_CODES.has(magpieError.code) || (!this.loggedInOnce && FIRST_LOGIN_FINAL_CODES.has(magpieError.code))) {
        this.running = false;
        this.setStatus({ state: 'offline', ...failureStatus(magpieError) });
        this.rejectFirst(magpieError);
        return;
      }
      this.scheduleReconnect(magpieError);
    }
  }

  private learn(advertised: readonly string[]): void {
    const outcome = acceptAdvertised(this.book.configured, advertised, this.deps.transport ?? {});
    this.book.learn(outcome.accepted);
    this.deps.onAdvertised?.(outcome);
  }

  /** One racer attempt: TCP (or TLS) to the address, then HELLO and its answer. */
  private async openLink(address: ResolvedAddress, signal: AbortSignal): Promise<OpenedLink> {
    const socket = await this.connectSocket(address, signal);
    const link: Link = new Link({
      socket,
      clock: this.deps.clock,
      limits: this.limits,
      requestTimeoutMs: this.deps.tuning.requestTimeoutMs,
      onPush: (frame) => this.onPush(frame),
      onActivity: () => this.onActivity(),
      onRequestTimeout: () => this.probe(link),
      onClose: (error) => this.onLinkClosed(link, error),
    });
    const onAbort = (): void => link.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const hello = { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR, client: this.deps.clientName ?? 'magpie-core' };
      const ack = await link.request('HELLO', hello, this.deps.tuning.loginTimeoutMs);
      link.useCompressThreshold(ack.body.compressThresholdBytes);
      link.serverMinor = ack.body.minor;
    } catch (error) {
      link.close();
      if (error instanceof MagpieError && error.code === ErrorCode.TLS_REQUIRED) {
        throw new MagpieError(error.code, `${address.key} speaks TLS: write tls://${address.key}`, { cause: error, address: address.key });
      }
      if (error instanceof MagpieError && error.code === ErrorCode.NOT_MAGPIE_PORT) {
        throw new MagpieError(
          error.code,
          `${address.key} answers HTTP: it is a web port (the server's HTTP port serves REST and the console), not the server's client port (8883 unless it was moved)`,
          { cause: error, address: address.key },
        );
      }
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return { link, destroy: () => link.close() };
  }

  private login(link: Link): Promise<LoginExchange> {
    // force is the user's choice at sign-in; a reconnect must never kick a newer login of ours
    const body = this.loggedInOnce ? { ...this.deps.login, mode: pb.LoginMode.AUTO } : this.deps.login;
    const now = () => this.deps.clock.now();
    if (isPasswordLogin(body)) return this.passwordLogin.login(link, body, this.deps.tuning.loginTimeoutMs, now);
    return timedLogin(link, body, this.deps.tuning.loginTimeoutMs, now);
  }

  private onPush(frame: DecodedFrame): void {
    if (frame.name === 'KICKED') {
      this.running = false;
      this.clearTimers();
      this.setStatus({ state: 'kicked', reason: frame.body.reason, code: frame.body.code });
      this.rejectFirst(new MagpieError(frame.body.code, frame.body.reason));
      const link = this.link;
      this.link = undefined;
      link?.close();
      return;
    }
    if (frame.name === 'PONG') return;
    this.deps.onPush(frame);
  }

  private onActivity(): void {
    this.lastActivityMs = this.deps.clock.now();
    // any frame proves the link alive: the pending heartbeat has its answer
    if (this.heartbeatDeadline) {
      this.deps.clock.clearTimeout(this.heartbeatDeadline);
      this.heartbeatDeadline = undefined;
      if (this.probing) this.probing = false;
      else this.heartbeat.onHeartbeatSuccess();
      this.scheduleHeartbeat();
    }
  }

  /**
   * A request on the link got no answer in time. Waiting for the next heartbeat (minutes apart
   * once the interval has grown) would leave a message spinning on a link a NAT forgot: ping now,
   * and replace the link if that gets no answer either.
   */
  private probe(link: Link): void {
    if (this.link !== link || this.status.state !== 'online' || this.heartbeatDeadline) return;
    // frames came lately: the link is alive and the server busy (a burst over its request rate is
    // delayed, never refused), and a ping would wait behind the same queue
    if (this.deps.clock.now() - this.lastActivityMs < this.deps.tuning.heartbeatTimeoutMs) return;
    if (this.heartbeatTimer) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.probing = true;
    this.sendHeartbeat();
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.deps.clock.setTimeout(() => this.sendHeartbeat(), this.heartbeat.nextIntervalMs());
    if (this.status.state === 'online' && this.status.heartbeatMs !== this.heartbeat.currentIntervalMs) {
      this.setStatus({ ...this.status, heartbeatMs: this.heartbeat.currentIntervalMs });
    }
  }

  private sendHeartbeat(): void {
    this.heartbeatTimer = undefined;
    const link = this.link;
    if (!link || this.status.state !== 'online') return;
    link.ping();
    this.heartbeatDeadline = this.deps.clock.setTimeout(() => {
      // after a busy event loop the answer may be read but not yet handled: timers run before
      // I/O, so look once more on the next turn before calling the link dead
      this.heartbeatDeadline = this.deps.clock.setTimeout(() => {
        this.heartbeatDeadline = undefined;
        if (this.probing) this.probing = false;
        else this.heartbeat.onHeartbeatTimeout();
        // no answer: the path is dead (a NAT dropped it); start over on a new connection
        this.onLinkClosed(link, new MagpieError(ErrorCode.CONNECTION_CLOSED, 'heartbeat got no answer'));
        link.close();
      }, 0);
    }, this.deps.tuning.heartbeatTimeoutMs);
  }

  private onLinkClosed(link: Link, error: MagpieError | undefined): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.clearTimers();
    if (!this.running) return;
    if (this.attempt) return; // the handshake's own catch decides
    this.scheduleReconnect(error ?? new MagpieError(ErrorCode.CONNECTION_CLOSED, 'connection closed'));
  }

  private scheduleReconnect(error: MagpieError): void {
    const delay = CAPACITY_CODES.has(error.code)
      ? this.backoff.nextCapacityDelayMs()
      : this.backoff.nextDelayMs(nothingListened(error) ? 'refused' : 'other');
    this.setStatus({ state: 'reconnecting', ...failureStatus(error) });
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.connectOnce();
    }, delay);
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.heartbeatTimer, this.heartbeatDeadline]) {
      if (timer) this.deps.clock.clearTimeout(timer);
    }
    this.retryTimer = this.heartbeatTimer = this.heartbeatDeadline = undefined;
    this.probing = false;
  }

  private rejectFirst(error: MagpieError): void {
    this.firstLogin?.reject(error);
    this.firstLogin = undefined;
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.deps.onStatus(status);
  }
}

/** A failure as a status: its reason and code, and the address it is about (`server`) where it names one. */
function failureStatus(error: MagpieError): Pick<ConnectionStatus, 'reason' | 'code' | 'server'> {
  return { reason: error.message, code: error.code, ...(error.address === undefined ? {} : { server: error.address }) };
}
