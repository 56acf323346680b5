import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  DEFAULT_SERVER_LIMITS,
  ErrorCode,
  isMagpieError,
  MagpieError,
  type pb,
  systemClock,
  type AnswerTo,
  type BodyFrameName,
  type Clock,
  type DecodedFrame,
  type InitOf,
  type RequestName,
  type ServerLimits,
  type WireLimits,
} from '../../protocol';
import { ClientConnection, type ConnectionStatus } from '../engine/client-connection';
import type { Link } from '../engine/link';
import type { LoginExchange } from '../engine/login-exchange';
import { OutboxSender } from '../engine/outbox-sender';
import { SyncEngine, type SyncProgress } from '../engine/sync-engine';
import type { TransportOptions } from '../engine/transport';
import { createEngineTuning, type EngineTuning } from '../engine/tuning';
import { applyCardNotice, mergeIngestResults, openClientStore, type ClientStore, type MemberCardChange, type IngestResult, type PendingUpload, type StoredMessage } from '../store';
import type { LoginInit } from './login-request';
import { createOutboxLedger } from './outbox-ledger';
import { ownEntry } from './own-entry';
import { createServerClock, type ServerClock } from './server-clock';
import { serverLimitsOf } from './server-limits';
import { createUnsentReads, type ReadMark, type UnsentReads } from './unsent-reads';

/**
 * Codes that say only that the connection went away under a request (a server stopping, a cut
 * network): the connection's status says so, and the work runs again on the next connection.
 */
const CUT_OFF: ReadonlySet<number> = new Set([ErrorCode.CONNECTION_CLOSED, ErrorCode.NOT_CONNECTED, ErrorCode.SERVER_SHUTTING_DOWN]);

/** States the connection does not leave on its own: nothing reconnects. */
const STOPPED: ReadonlySet<ConnectionStatus['state']> = new Set(['idle', 'offline', 'kicked']);

export interface ClientEvents {
  status: [ConnectionStatus];
  login: [pb.LoginResult];
  /** A login brought a new list of advertised addresses: what the engine now races after servers. */
  learnedServers: [string[]];
  progress: [SyncProgress];
  /** A page or push was stored: what it changed. */
  ingested: [IngestResult];
  /** An outgoing message changed state (sent with its ids, or failed). */
  outgoing: [StoredMessage];
  /** The server answered a message's SEND with a retryable error: it stays in the outbox and goes again. */
  sendDeferred: [{ clientMsgId: string; error: MagpieError }];
  /** A media message's upload is to run again (its retry): the media outbox starts it. */
  uploadDue: [string];
  /** A media message was withdrawn before its upload finished: the media outbox discards the upload. */
  uploadWithdrawn: [PendingUpload];
  typing: [pb.Typing];
  /** The user's muted one-to-one conversations changed on another device. */
  mutes: [pb.Mutes];
  transient: [pb.Entry];
  /** A member of one of my groups changed their card (alias): the cached member has it already. */
  memberCard: [MemberCardChange];
  error: [unknown];
}

export interface MagpieClientOptions {
  readonly profileDir: string;
  readonly servers: readonly string[];
  /** Addresses a server advertised in an earlier session: raced after servers (docs/client.md). */
  readonly learnedServers?: readonly string[];
  /** TLS trust (a CA for a self-signed server) and the plain-TCP policy. */
  readonly transport?: TransportOptions;
  readonly login: LoginInit & { appId: string; user: string };
  readonly tuning?: Partial<EngineTuning>;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly log: Logger;
  readonly clientName?: string;
  /** The wire limits this client enforces on what it receives (the protocol's defaults when absent). */
  readonly limits?: WireLimits;
  /**
   * What the server told it takes at an earlier session's login (remembered with that login):
   * `serverLimits` until this client's first LOGIN_RESULT, rather than the defaults.
   */
  readonly serverLimits?: ServerLimits;
}

/**
 * One logged-in user's engine: the store (opened before any network, so history is readable
 * offline), the connection, push-pull sync into the store, and the outbox. Services build on it.
 */
export class MagpieClient {
  readonly events = new EventEmitter<ClientEvents>();
  readonly store: ClientStore;
  readonly selfId: string;
  readonly appId: string;
  readonly clock: Clock;
  /** The server's clock as reckoned at the last login: what server times (revoke window, mutes, expiries) are compared with. */
  readonly serverClock: ServerClock;
  private readonly connection: ClientConnection;
  private sync!: SyncEngine;
  private outbox!: OutboxSender;
  private readonly reads: UnsentReads;
  /** A login happened and its online status has not yet sent the waiting read marks. */
  private readsDue = false;
  readonly tuning: EngineTuning;
  /** The learned addresses as last told through 'learnedServers' (or remembered at the start). */
  private toldLearned: string;
  private limitsTold: ServerLimits;

  constructor(private readonly options: MagpieClientOptions) {
    this.limitsTold = options.serverLimits ?? DEFAULT_SERVER_LIMITS;
    this.clock = options.clock ?? systemClock;
    this.serverClock = createServerClock(this.clock);
    this.tuning = createEngineTuning(options.tuning);
    this.selfId = options.login.user;
    this.appId = options.login.appId;
    this.store = openClientStore({ profileDir: options.profileDir, appId: this.appId, userId: this.selfId, clock: this.clock });
    try {
      this.connection = this.wire(options);
    } catch (error) {
      // a refused option (a server address that is not one): nobody would ever close this store
      this.store.close();
      throw error;
    }
    this.toldLearned = this.connection.learnedAddresses.join(',');
    this.reads = createUnsentReads({
      store: this.store.unsentReads,
      online: () => this.status.state === 'online',
      request: (mark) => this.request('READ', { conversation: mark.conversation, upToMsgId: BigInt(mark.upToMsgId) }),
      now: () => this.clock.now(),
      log: options.log,
    });
  }

  private wire(options: MagpieClientOptions): ClientConnection {
    this.sync = new SyncEngine({
      ledger: {
        lastAppliedSeq: () => this.store.syncState.get().appliedSeq,
        applyEntries: async (entries, upToSeq) => {
          const result = await this.store.ingest.ingestEntries(entries, { upToSeq });
          for (const message of result.messages) {
            if (message.body.unavailable) {
              options.log.warn({ msgId: message.msgId, conversation: message.conversation }, 'the server withheld a message too large to deliver; a placeholder shows it');
            }
          }
          this.events.emit('ingested', result);
        },
        skipEntry: (seq, reason) => {
          options.log.warn({ seq, code: reason.code, err: reason }, 'an inbox entry cannot be read even alone: skipped');
          this.events.emit('ingested', this.store.ingest.skipEntry(seq));
          this.reportError(new MagpieError(reason.code, `an inbox entry (seq ${seq}) could not be read and was skipped: ${reason.message}`));
        },
      },
      timelines: {
        cursors: () => this.store.timelineCursors.applied(),
        cursorOf: (groupId) => this.store.timelineCursors.appliedOf(groupId),
        applyTimelines: async (slices) => {
          const results: IngestResult[] = [];
          for (const { groupId, entries, upToSeq } of slices) results.push(await this.store.ingest.ingestTimeline(groupId, entries, { upToSeq }));
          this.events.emit('ingested', mergeIngestResults(results));
        },
        confirmed: (cursors) => {
          for (const [groupId, seq] of cursors) this.store.timelineCursors.raiseConfirmed(groupId, seq, this.clock.now());
        },
      },
      pageEntries: this.tuning.syncPageEntries,
      confirmDelayMs: this.tuning.confirmDelayMs,
      timelineConfirmDelayMs: this.tuning.timelineConfirmDelayMs,
      clock: this.clock,
      onTransient: (entry) => {
        const card = applyCardNotice(this.store.groups, entry);
        if (card) this.events.emit('memberCard', card);
        else this.events.emit('transient', entry);
      },
      onProgress: (progress) => this.events.emit('progress', progress),
      onError: (error) => this.reportError(error),
      retryDelayMs: this.tuning.backoffBaseMs,
    });
    this.outbox = new OutboxSender({
      ledger: createOutboxLedger({ store: this.store, clock: this.clock, onOutgoing: (stored) => this.events.emit('outgoing', stored) }),
      onError: (error) => this.reportError(error),
      retryDelayMs: this.tuning.backoffBaseMs,
      maxInFlight: this.tuning.maxSendsInFlight,
      clock: this.clock,
      onSent: (send, receipt) => this.sync.handleSent(ownEntry(this.selfId, send, receipt), receipt.timelineSeq),
      onDeferred: (clientMsgId, error) => this.events.emit('sendDeferred', { clientMsgId, error }),
    });
    return new ClientConnection({
      addresses: options.servers,
      ...(options.learnedServers ? { learned: options.learnedServers } : {}),
      onAdvertised: ({ ignored }) => {
        for (const entry of ignored) options.log.warn({ address: entry.text, reason: entry.reason }, 'advertised server address ignored');
      },
      ...(options.transport ? { transport: options.transport } : {}),
      login: options.login,
      tuning: this.tuning,
      clock: this.clock,
      random: options.random ?? Math.random,
      clientName: options.clientName,
      ...(options.limits ? { limits: options.limits } : {}),
      onLogin: (result, link, exchange) => this.onLogin(result, link, exchange),
      onPush: (frame) => this.onPush(frame),
      onStatus: (status) => {
        // MAGPIE_LOG_LEVEL=debug shows each attempt and why it failed (the CLI's --help says so)
        options.log.debug({ ...status }, `connection ${status.state}`);
        if (status.state !== 'online') {
          this.sync.detach();
          this.outbox.detach();
        }
        // marks made while offline, in this run or an earlier one, go out once per login (an
        // online status repeats when the heartbeat interval changes)
        if (status.state === 'online' && this.readsDue) {
          this.readsDue = false;
          this.reads.flush();
        }
        this.events.emit('status', status);
      },
    });
  }

  get status(): ConnectionStatus {
    return this.connection.current;
  }

  /**
   * What the server takes (revoke window, upload sizes, voice length), as its last LOGIN_RESULT
   * said; before this client's first login, those an earlier session remembered (the option
   * `serverLimits`), else the defaults; the defaults for a server that says none.
   */
  get serverLimits(): ServerLimits {
    return this.limitsTold;
  }

  get heartbeatIntervalMs(): number {
    return this.connection.heartbeatIntervalMs;
  }

  /** Connects and logs in; resolves with the first login, rejects when it cannot succeed. */
  start(): Promise<pb.LoginResult> {
    return this.connection.start();
  }

  /** Resolves once everything synced so far is stored. */
  syncIdle(): Promise<void> {
    return this.sync.idle();
  }

  networkUp(): void {
    this.connection.networkUp();
  }

  /** Disconnects; the store stays open for offline reading until close(). */
  stop(reason = 'stopped'): void {
    this.connection.stop(reason);
  }

  close(): void {
    this.connection.stop('closed');
    this.store.close();
  }

  /** A request to the server; fails at once with NOT_CONNECTED while offline. */
  async request<N extends RequestName>(name: N, body: InitOf<N>): Promise<AnswerTo<N>> {
    const link = this.connection.onlineLink;
    if (!link) throw new MagpieError(ErrorCode.NOT_CONNECTED, 'not connected to the server');
    return link.request(name, body);
  }

  /**
   * Resolves true once online (at once when it is), false after timeoutMs or when the connection
   * has stopped for good (signed out, kicked, a login refused for a reason retrying cannot fix).
   */
  whenOnline(timeoutMs: number): Promise<boolean> {
    if (this.connection.onlineLink) return Promise.resolve(true);
    if (STOPPED.has(this.status.state)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (online: boolean): void => {
        this.clock.clearTimeout(timer);
        this.events.off('status', onStatus);
        resolve(online);
      };
      const onStatus = (status: ConnectionStatus): void => {
        if (status.state === 'online') done(true);
        else if (STOPPED.has(status.state)) done(false);
      };
      const timer = this.clock.setTimeout(() => done(false), timeoutMs);
      this.events.on('status', onStatus);
    });
  }

  /** A frame that needs no answer (TYPING); dropped while offline. */
  fire<N extends BodyFrameName>(name: N, body: InitOf<N>): void {
    this.connection.onlineLink?.fire(name, body);
  }

  /**
   * A READ that must reach the server (docs/client.md, "Read means seen"): stored first, sent now
   * if online, else after the next login, also when the app was closed in between.
   */
  sendRead(mark: ReadMark): void {
    this.reads.mark(mark);
  }

  /** Hands a stored outbox item to the sender: sent now if online, else on the next login. */
  submit(clientMsgId: string, send: InitOf<'SEND'>): void {
    this.outbox.submit({ clientMsgId, send });
  }

  /** The advertised addresses the engine races after servers (to remember for the next start). */
  get learnedServers(): string[] {
    return this.connection.learnedAddresses;
  }

  private onLogin(result: pb.LoginResult, link: Link, exchange: LoginExchange): void {
    this.serverClock.observe({ sentMs: exchange.sentMs, answeredMs: exchange.answeredMs, serverTimeMs: Number(result.serverTimeMs) });
    // told once per change, not at every reconnect: listeners write it to disk
    const learned = this.connection.learnedAddresses;
    if (result.advertisedAddresses.length > 0 && learned.join(',') !== this.toldLearned) {
      this.toldLearned = learned.join(',');
      this.events.emit('learnedServers', learned);
    }
    this.limitsTold = serverLimitsOf(result.limits);
    this.store.syncState.raiseServerMax(Number(result.maxSeq), this.clock.now());
    this.sync.attach(link, result);
    this.outbox.attach(link);
    this.readsDue = true;
    this.events.emit('login', result);
  }

  private onPush(frame: DecodedFrame): void {
    if (this.sync.handlePush(frame)) return;
    if (frame.name === 'TYPING') this.events.emit('typing', frame.body);
    else if (frame.name === 'MUTES') this.events.emit('mutes', frame.body);
    else if (frame.name === 'ERROR' && frame.body.code === ErrorCode.SERVER_SHUTTING_DOWN) {
      // a normal stop, said by the server before it closes: one line, no stack; the connection reconnects
      this.options.log.info({ code: frame.body.code, reason: frame.body.message }, 'the server is stopping; reconnecting when it is back');
      if (this.events.listenerCount('error') > 0) this.events.emit('error', new MagpieError(frame.body.code, frame.body.message));
    } else if (frame.name === 'ERROR') this.reportError(new MagpieError(frame.body.code, frame.body.message));
  }

  private reportError(error: unknown): void {
    if (isMagpieError(error) && CUT_OFF.has(error.code)) this.options.log.debug({ err: error }, 'a request was cut off by the lost connection; it runs again on the next');
    else this.options.log.warn({ err: error }, 'client engine error');
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
  }
}
