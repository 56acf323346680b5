/**
 * Who is signed in and how the connection is: restore at start, sign in, sign out, the
 * connection state and the sync progress the core reports.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { DEFAULT_SERVER_LIMITS, type ApiError, type ConnectionInfo, type LoginAuth, type MethodResult, type ProfileView, type ServerLimits, type SessionView, type SignInMethod } from '../../../preload/api';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { useGroups } from './groups';
import { useMessages } from './messages';
import { createProfileRefresh } from './profile-refresh';
import { serverOffsetOf } from './server-offset';
import { useProfiles } from './profiles';
import { useSettings } from './settings';
import { useTyping } from './typing';
import { useUi } from './ui';

export type Phase = 'starting' | 'signedOut' | 'signedIn';

/** Offline with a code: the engine stopped on a sign-in the server refused for good (a wrong password, an app offline, ...). */
export function isFinalRefusal(info: ConnectionInfo): boolean {
  return info.state === 'offline' && info.code !== undefined;
}

/** Why the session ended, as the form's banner says it: the server's reason and code. */
function endedBy(info: ConnectionInfo, fallback: string): { reason: string; code?: number } {
  return { reason: info.reason ?? fallback, ...(info.code !== undefined ? { code: info.code } : {}) };
}

export interface LoginForm {
  servers: string[];
  appId: string;
  auth: LoginAuth;
  remember: boolean;
  force: boolean;
  /** A CA certificate file on this computer, for a server with a self-signed certificate. */
  caFile?: string;
}

/** A sync this large shows a progress bar; smaller ones finish before anyone would notice. */
export const SYNC_BAR_THRESHOLD = 50;

/**
 * How long a page that starts on a session still signing in (the remembered login at the app's
 * start, or asked again after a refusal) waits for the server's answer before it shows the chats
 * anyway: a refusal shows the form without the refused session's chats first, and a server that
 * cannot be reached keeps the chats readable from the store after this.
 */
export const START_SIGN_IN_WAIT_MS = 5_000;

export const useSession = defineStore('session', () => {
  const backend = useBackend();
  const phase = ref<Phase>('starting');
  const session = ref<SessionView | null>(null);
  const me = ref<ProfileView | null>(null);
  const connection = ref<ConnectionInfo>({ state: 'idle' });
  /** What the server takes (revoke window, uploads, voice length), as its last login told. */
  const limits = ref<ServerLimits>(DEFAULT_SERVER_LIMITS);
  /**
   * The server's time less this page's clock, from the last ConnectionInfo that told the server's
   * time (docs/client.md, "Server time"); 0 (the page's own clock) until one did.
   */
  const serverOffsetMs = ref(0);
  const sync = ref<{ applied: number; target: number; done: boolean; visible: boolean }>({ applied: 0, target: 0, done: true, visible: false });
  /**
   * Why the form shows instead of the chats: the server ended the session, or (`refused`) it
   * refused the session's sign-in for good; the core still holds that session, and Retry now
   * signs it in again with what is remembered.
   */
  const ended = ref<{ reason: string; code?: number; refused?: boolean } | null>(null);
  const appInfo = ref<MethodResult<'app.info'> | null>(null);
  /**
   * Who signed in last and how, so the form after a sign-out or a kick still holds the app, the
   * user, the sign-in method and the CA file (never a secret). After a restart it is the account
   * the core still remembers (a plain sign-out keeps it, without its secret).
   */
  const lastLogin = ref<{ appId: string; userId: string; servers: string[]; method: SignInMethod; caFile?: string } | null>(null);
  let signingOut = false;
  /** The session whose sign-in was refused, while the form shows why: Retry now brings it back. */
  let refusedView: SessionView | null = null;
  /** Retry now was pressed on the refused form and its answer is not in yet. */
  const retrying = ref(false);
  /** While the page starts on a session still signing in: takes each connection state the core tells. */
  let startWaiter: ((info: ConnectionInfo) => void) | null = null;

  function rememberLogin(view: SessionView, caFile: string | undefined): void {
    lastLogin.value = {
      appId: view.appId,
      userId: view.userId,
      servers: view.servers,
      method: view.signedInWith ?? { type: 'password' },
      ...(caFile ? { caFile } : {}),
    };
  }

  async function afterSignIn(view: SessionView, caFile: string | undefined): Promise<void> {
    session.value = view;
    // a core older than the field tells none: the defaults
    limits.value = view.limits ?? DEFAULT_SERVER_LIMITS;
    rememberLogin(view, caFile);
    ended.value = null;
    phase.value = 'signedIn';
    // every sign-in opens on the chats, not on whatever screen the last session left open
    useUi().view = 'chats';
    await refresh();
  }

  /** Reloads everything the main screen shows (after sign-in, or after the page's link came back). */
  async function refresh(): Promise<void> {
    if (phase.value !== 'signedIn') return;
    const [conn, profile] = await Promise.all([
      backend.call('session.connection', {}),
      backend.call('profile.me', {}),
      useConversations().load(),
      useGroups().loadMine(),
      useGroups().loadRequests(),
      useSettings().load(),
    ]);
    if (conn.ok) onConnection(conn.value);
    if (profile.ok) me.value = profile.value;
  }

  async function start(): Promise<void> {
    const [info] = await Promise.all([backend.call('app.info', {}), useSettings().load()]);
    if (info.ok) appInfo.value = info.value;
    const restored = await backend.call('session.restore', {});
    // the account remembered without (after a plain sign-out) or with its secret: its CA file too
    const remembered = await backend.call('session.remembered', {});
    const account = remembered.ok ? remembered.value : null;
    if (restored.ok && restored.value) {
      const view = restored.value;
      const same = account?.appId === view.appId && account.userId === view.userId;
      const caFile = same ? account.caFile : undefined;
      // a session the server ended before this page loaded (the app taken offline, the account
      // closed, a sign-in elsewhere) shows as it did before the reload: the form, and why; a
      // refused sign-in is asked once more first, and a sign-in still going is waited for
      const conn = await startingConnection();
      if (conn && isFinalRefusal(conn)) {
        rememberLogin(view, caFile);
        showRefused(view, conn);
        return;
      }
      if (conn?.state === 'kicked') {
        rememberLogin(view, caFile);
        ended.value = endedBy(conn, 'kicked');
        phase.value = 'signedOut';
        return;
      }
      await afterSignIn(view, caFile);
      return;
    }
    if (account) {
      // the method is this computer's preference, kept in the settings
      const method = useSettings().settings.signInMethod ?? { type: 'password' };
      lastLogin.value = { appId: account.appId, userId: account.userId, servers: account.servers, method, ...(account.caFile ? { caFile: account.caFile } : {}) };
    }
    phase.value = 'signedOut';
  }

  /**
   * The restored session's connection, once its sign-in has an answer. A sign-in the server
   * refused before this page loaded is asked once more (the refusal may have been lifted: the app
   * back online); one still going (the remembered login at the app's start, that retry) is waited
   * for, up to START_SIGN_IN_WAIT_MS, so a refusal shows the form with no chats of the refused
   * session first. Null when the core could not say.
   */
  async function startingConnection(): Promise<ConnectionInfo | null> {
    const conn = await backend.call('session.connection', {});
    if (!conn.ok) return null;
    let info = conn.value;
    if (isFinalRefusal(info)) {
      const retried = await backend.call('session.reconnect', {});
      if (!retried.ok) return info;
      info = retried.value;
    }
    if (info.state !== 'connecting') return info;
    return new Promise<ConnectionInfo>((resolve) => {
      let last = info;
      const done = (answer: ConnectionInfo): void => {
        clearTimeout(timer);
        startWaiter = null;
        resolve(answer);
      };
      const timer = setTimeout(() => done(last), START_SIGN_IN_WAIT_MS);
      startWaiter = (next) => {
        last = next;
        if (next.state !== 'connecting') done(next);
      };
    });
  }

  /** Signs in; returns the error for the form to show, or null. */
  async function login(form: LoginForm): Promise<ApiError | null> {
    // a sign-in from the form replaces the refused session: its Retry now no longer speaks for it
    refusedView = null;
    retrying.value = false;
    const result = await backend.call('session.login', {
      servers: form.servers,
      appId: form.appId,
      auth: form.auth,
      remember: form.remember,
      mode: form.force ? 'force' : 'auto',
      ...(form.caFile ? { caFile: form.caFile } : {}),
    });
    if (!result.ok) return result.error;
    await afterSignIn(result.value, form.caFile);
    return null;
  }

  function clearAll(): void {
    session.value = null;
    me.value = null;
    connection.value = { state: 'idle' };
    limits.value = DEFAULT_SERVER_LIMITS;
    serverOffsetMs.value = 0;
    sync.value = { applied: 0, target: 0, done: true, visible: false };
    useConversations().reset();
    useMessages().reset();
    useGroups().reset();
    useProfiles().reset();
    useTyping().reset();
    phase.value = 'signedOut';
  }

  /** Signing out is the user's own choice: no "session ended" notice follows it. */
  async function logout(forget: boolean): Promise<void> {
    signingOut = true;
    // a forgotten account leaves no user id in the form; the server and app stay, they are no
    // one's. Before the call: the session's end may reach the page first and show the form
    if (forget && lastLogin.value) lastLogin.value = { ...lastLogin.value, userId: '' };
    try {
      await backend.call('session.logout', { forget });
    } finally {
      signingOut = false;
    }
    clearAll();
    refusedView = null;
    retrying.value = false;
    ended.value = null;
  }

  /**
   * The server refused the session's sign-in for good (docs/client.md, "A refused sign-in"): the
   * chats go, with their composer that could send nothing, and the form says why.
   */
  function showRefused(view: SessionView, info: ConnectionInfo): void {
    clearAll();
    refusedView = view;
    retrying.value = false;
    ended.value = { ...endedBy(info, 'refused'), refused: true };
  }

  function onConnection(info: ConnectionInfo): void {
    startWaiter?.(info);
    if (phase.value === 'signedIn' && isFinalRefusal(info) && session.value) {
      showRefused(session.value, info);
      return;
    }
    if (phase.value === 'signedOut') {
      // only a Retry now of the refused session brings the chats back; else the form's own sign-in does
      if (retrying.value && refusedView && info.state === 'online') {
        const view = refusedView;
        refusedView = null;
        retrying.value = false;
        void afterSignIn(view, lastLogin.value?.caFile);
      } else if (retrying.value && refusedView && isFinalRefusal(info)) {
        retrying.value = false;
        ended.value = { ...endedBy(info, 'refused'), refused: true };
      }
      return;
    }
    connection.value = info;
    // each login tells them; offline, the last ones told still hold
    if (info.limits) limits.value = info.limits;
    if (info.serverTimeMs !== undefined) serverOffsetMs.value = serverOffsetOf(info.serverTimeMs, Date.now());
  }

  /** The server's time now, as this page reckons it: what server times (revoke window, mutes) are compared with. */
  function serverNow(): number {
    return Date.now() + serverOffsetMs.value;
  }

  function onSyncProgress(p: { applied: number; target: number; done: boolean }): void {
    const large = p.target - p.applied >= SYNC_BAR_THRESHOLD || (sync.value.visible && !p.done);
    sync.value = { ...p, visible: !p.done && large };
  }

  function onEnded(info: { reason: string; code?: number }): void {
    // our own sign-out's echo (it may come before or after the call's answer) is no news
    const ownSignOut = info.code === undefined && (signingOut || phase.value === 'signedOut');
    clearAll();
    refusedView = null;
    retrying.value = false;
    if (!ownSignOut) ended.value = info;
  }

  /** "Retry now": reconnect at once, or after a refused sign-in, try it again. */
  async function reconnect(): Promise<void> {
    if (phase.value === 'signedOut' && refusedView) retrying.value = true;
    const result = await backend.call('session.reconnect', {});
    if (result.ok) onConnection(result.value);
    // no session left to retry (signed out in another window): the form is all there is
    else if (phase.value === 'signedOut') {
      refusedView = null;
      retrying.value = false;
    }
  }

  /** Saves my nickname on the server; the refusal when it was not saved (the caller says so where it was asked). */
  async function updateNickname(nickname: string): Promise<{ code: number; message: string } | null> {
    const result = await backend.call('profile.update', { nickname });
    if (!result.ok) return result.error;
    const profile = result.value;
    me.value = profile;
    // my own name shows in member lists and notices too: they follow at once
    createProfileRefresh().apply([profile]);
    return null;
  }

  return {
    phase, session, me, connection, limits, serverOffsetMs, sync, ended, appInfo, lastLogin, retrying,
    start, login, logout, refresh, reconnect, onConnection, serverNow, onSyncProgress, onEnded, updateNickname,
  };
});
