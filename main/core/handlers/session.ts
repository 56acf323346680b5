import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, MagpieError, parseAddressText } from '../../../protocol';
import type { DemoInfo, LoginAuth, SessionView } from '../../../preload/api';
import type { AttentionState } from '../../notifications/notification-policy';
import type { SecretBox } from '../../settings/secret-box';
import { forgetRememberedSecret, loadRememberedAccount, loadRememberedLogin, saveRememberedLogin, type RememberedFromServer, type RememberedLogin } from '../../settings/settings-file';
import type { Session } from '../session';
import { failedRace } from '../../client/failed-race';
import { clientStorePath } from '../../store';
import { toConnectionInfo, type CoreDeps, type HandlerSlice } from './deps';
import type { SettingsState } from './settings';

type SessionMethods =
  | 'app.info' | 'session.login' | 'session.restore' | 'session.remembered' | 'session.logout' | 'session.connection'
  | 'session.reconnect' | 'ui.state' | 'network.changed';

export interface SessionHandlerDeps extends CoreDeps {
  readonly app: { readonly version: string; readonly shell: 'electron' | 'web'; readonly demo?: DemoInfo };
  readonly settings: SettingsState;
  readonly secretBox: SecretBox;
  /** The profile folder: users' stores are in it (<appId>/<userId>/magpie.db). */
  readonly profileDir: string;
  /** Where a remembered login is kept (sealed by secretBox). */
  readonly rememberFile: string;
  /** How long an interactive login waits for the server before it gives up. */
  readonly loginTimeoutMs: number;
  startSession(servers: string[], appId: string, auth: LoginAuth, mode?: 'auto' | 'force', caFile?: string, remembered?: RememberedFromServer): Session;
  endSession(reason: string): Promise<void>;
  setAttention(attention: AttentionState): void;
  networkUp(): void;
}

/** Signing in and out, the remembered login, the connection, and what the shell tells the core. */
export function createSessionHandlers(deps: SessionHandlerDeps): HandlerSlice<SessionMethods> {
  return {
    'app.info': () => ({
      name: 'Magpie',
      version: deps.app.version,
      shell: deps.app.shell,
      ...(deps.app.demo ? { demo: deps.app.demo } : {}),
    }),
    'session.login': async (args) => {
      checkServerAddresses(args.servers);
      await deps.endSession('replaced by a new login');
      const firstStore = newStoreFile(deps.profileDir, args.appId, args.auth.user);
      let session: Session;
      try {
        session = deps.startSession(args.servers, args.appId, args.auth, args.mode, args.caFile);
      } catch (error) {
        removeFailedFirstStore(deps, firstStore);
        throw error;
      }
      try {
        await withTimeout(firstLoginOrFailedRace(session), deps.loginTimeoutMs);
      } catch (error) {
        // only this login's session: a newer login may have replaced it meanwhile
        if (deps.current() === session) await deps.endSession('login failed');
        else {
          session.client.close();
          await session.client.store.closed;
        }
        removeFailedFirstStore(deps, firstStore);
        throw error;
      }
      if (deps.current() !== session) throw new MagpieError(ErrorCode.CANCELLED, 'replaced by a newer sign-in');
      // the form's sign-in method is the user's preference, kept apart from the login "forget" removes
      deps.settings.update({ servers: args.servers, signInMethod: session.signedInWith });
      if (args.remember) {
        const remembered = { servers: args.servers, appId: args.appId, auth: args.auth, ...(args.caFile ? { caFile: args.caFile } : {}) };
        const told = { learnedServers: session.client.learnedServers, serverLimits: session.client.serverLimits };
        saveRememberedLogin(deps.rememberFile, deps.secretBox, { ...remembered, ...told });
        rememberWhatServerTells(deps, session, remembered, told);
      } else rmSync(deps.rememberFile, { force: true });
      return sessionView(session);
    },
    'session.restore': () => {
      const current = deps.current();
      if (current) return sessionView(current);
      const remembered = loadRememberedLogin(deps.rememberFile, deps.secretBox);
      if (!remembered) return null;
      // history opens at once from the store; the connection comes up in the background
      // the limits the server last told hold until this session's own login tells them again
      const session = deps.startSession(remembered.servers, remembered.appId, remembered.auth, 'auto', remembered.caFile, remembered);
      rememberWhatServerTells(deps, session, remembered, remembered);
      session.client.start().catch((error: unknown) => deps.log.info({ err: error }, 'remembered login did not succeed'));
      return sessionView(session);
    },
    'session.remembered': () => loadRememberedAccount(deps.rememberFile) ?? null,
    'session.logout': async (args) => {
      await deps.endSession('signed out');
      // signed out stays signed out: the next start shows the form, with the account but no secret
      if (args.forget ?? true) rmSync(deps.rememberFile, { force: true });
      else forgetRememberedSecret(deps.rememberFile);
      return null;
    },
    'session.connection': () => {
      const client = deps.current()?.client;
      return client ? toConnectionInfo(client.status, client.serverLimits, client.serverClock.reading()) : toConnectionInfo({ state: 'idle' });
    },
    'session.reconnect': () => {
      const session = deps.requireSession();
      if (session.client.status.state === 'offline') {
        // the engine stopped on a refusal: sign in again with what is remembered, in the background
        session.client.start().catch((error: unknown) => deps.log.info({ err: error }, 'sign-in retried and refused'));
      } else {
        session.client.networkUp();
      }
      return toConnectionInfo(session.client.status, session.client.serverLimits, session.client.serverClock.reading());
    },
    'ui.state': (args) => {
      deps.setAttention(args);
      return null;
    },
    'network.changed': (args) => {
      if (args.online) deps.networkUp();
      return null;
    },
  };
}

/** The user's store file when it does not exist yet (this sign-in would be its first), else undefined. */
function newStoreFile(profileDir: string, appId: string, user: string): string | undefined {
  try {
    const file = clientStorePath(profileDir, appId, user);
    return existsSync(file) ? undefined : file;
  } catch {
    // ids that name no store: the sign-in refuses them before any file is made
    return undefined;
  }
}

/**
 * A first sign-in that failed (wrong app, unknown user, no server) leaves no store behind: its
 * user folder goes, and the app folder with it when nothing else is in it.
 */
function removeFailedFirstStore(deps: SessionHandlerDeps, file: string | undefined): void {
  // a newer sign-in of the same user may have opened it meanwhile: it is theirs then
  if (file === undefined || deps.current()?.client.store.file === file) return;
  const userDir = dirname(file);
  try {
    rmSync(userDir, { recursive: true, force: true });
    const appDir = dirname(userDir);
    if (readdirSync(appDir).length === 0) rmdirSync(appDir);
  } catch (error) {
    deps.log.warn({ err: error, dir: userDir }, 'the store of a failed first sign-in could not be removed');
  }
}

/**
 * A later login's advertised list and limits replace the remembered ones, so the next start races
 * the nodes of now and, until its own login, holds files and revokes to what the server last took.
 */
function rememberWhatServerTells(deps: SessionHandlerDeps, session: Session, remembered: RememberedLogin, told: RememberedFromServer): void {
  let kept: RememberedFromServer = { ...(told.learnedServers ? { learnedServers: told.learnedServers } : {}), ...(told.serverLimits ? { serverLimits: told.serverLimits } : {}) };
  const keep = (change: RememberedFromServer, what: string): void => {
    // signed out (and forgotten) or replaced meanwhile: nothing to keep
    if (deps.current() !== session || !existsSync(deps.rememberFile)) return;
    kept = { ...kept, ...change };
    try {
      saveRememberedLogin(deps.rememberFile, deps.secretBox, { ...remembered, ...kept });
    } catch (error) {
      deps.log.warn({ err: error }, `could not remember ${what}`);
    }
  };
  session.client.events.on('learnedServers', (learnedServers) => keep({ learnedServers }, 'the advertised server addresses'));
  session.client.events.on('login', () => {
    const serverLimits = session.client.serverLimits;
    // written when they change, not at every reconnect
    if (JSON.stringify(serverLimits) !== JSON.stringify(kept.serverLimits)) keep({ serverLimits }, "the server's limits");
  });
}

function sessionView(session: Session): SessionView {
  const me = session.client.store.users.get(session.client.selfId);
  return {
    userId: session.client.selfId,
    appId: session.client.appId,
    nickname: me?.nickname ?? '',
    servers: session.servers,
    signedInWith: session.signedInWith,
    limits: session.client.serverLimits,
  };
}

/**
 * A sign-in's first login, or the first race that reached no address: the person at the form is
 * told at once why (every address refused, a TLS address on a plain port and its tcp:// hint),
 * rather than after the login timeout while the engine retries in the background.
 */
function firstLoginOrFailedRace(session: Session): Promise<unknown> {
  const race = failedRace(session.client);
  return Promise.race([session.client.start(), race.failed]).finally(race.stop);
}

/** Every "Server addresses" entry is an address with a valid port, or the form is told which is not. */
function checkServerAddresses(servers: readonly string[]): void {
  for (const text of servers) {
    if (parseAddressText(text)) continue;
    const port = /:(\d+)$/.exec(text.trim())?.[1];
    const why = port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)
      ? `the port ${port} is not a port number (1-65535)`
      : 'it is not an address: write host:port, tcp://host:port (plain) or tls://host:port';
    throw new MagpieError(ErrorCode.SERVER_ADDRESS_INVALID, `Server addresses: ${JSON.stringify(text)}: ${why}`, { address: text });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MagpieError(ErrorCode.NOT_CONNECTED, `the server did not answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
