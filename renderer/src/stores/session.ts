/**
 * Who is signed in and how the connection is: restore at start, sign in, sign out, the
 * connection state and the sync progress the core reports.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ConnectionInfo, LoginAuth, MethodResult, ProfileView, SessionView } from '../../../preload/api';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { useGroups } from './groups';
import { useMessages } from './messages';
import { useProfiles } from './profiles';
import { useSettings } from './settings';
import { useTyping } from './typing';

export type Phase = 'starting' | 'signedOut' | 'signedIn';

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

export const useSession = defineStore('session', () => {
  const backend = useBackend();
  const phase = ref<Phase>('starting');
  const session = ref<SessionView | null>(null);
  const me = ref<ProfileView | null>(null);
  const connection = ref<ConnectionInfo>({ state: 'idle' });
  const sync = ref<{ applied: number; target: number; done: boolean; visible: boolean }>({ applied: 0, target: 0, done: true, visible: false });
  const ended = ref<{ reason: string; code?: number } | null>(null);
  const appInfo = ref<MethodResult<'app.info'> | null>(null);

  async function afterSignIn(view: SessionView): Promise<void> {
    session.value = view;
    ended.value = null;
    phase.value = 'signedIn';
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
    if (conn.ok) connection.value = conn.value;
    if (profile.ok) me.value = profile.value;
  }

  async function start(): Promise<void> {
    const [info] = await Promise.all([backend.call('app.info', {}), useSettings().load()]);
    if (info.ok) appInfo.value = info.value;
    const restored = await backend.call('session.restore', {});
    if (restored.ok && restored.value) await afterSignIn(restored.value);
    else phase.value = 'signedOut';
  }

  /** Signs in; returns the error for the form to show, or null. */
  async function login(form: LoginForm): Promise<{ code: number; message: string } | null> {
    const result = await backend.call('session.login', {
      servers: form.servers,
      appId: form.appId,
      auth: form.auth,
      remember: form.remember,
      mode: form.force ? 'force' : 'auto',
      ...(form.caFile ? { caFile: form.caFile } : {}),
    });
    if (!result.ok) return result.error;
    await afterSignIn(result.value);
    return null;
  }

  function clearAll(): void {
    session.value = null;
    me.value = null;
    connection.value = { state: 'idle' };
    sync.value = { applied: 0, target: 0, done: true, visible: false };
    useConversations().reset();
    useMessages().reset();
    useGroups().reset();
    useProfiles().reset();
    useTyping().reset();
    phase.value = 'signedOut';
  }

  async function logout(forget: boolean): Promise<void> {
    await backend.call('session.logout', { forget });
    clearAll();
  }

  function onConnection(info: ConnectionInfo): void {
    connection.value = info;
  }

  function onSyncProgress(p: { applied: number; target: number; done: boolean }): void {
    const large = p.target - p.applied >= SYNC_BAR_THRESHOLD || (sync.value.visible && !p.done);
    sync.value = { ...p, visible: !p.done && large };
  }

  function onEnded(info: { reason: string; code?: number }): void {
    clearAll();
    ended.value = info;
  }

  /** "Retry now": reconnect at once, or after a refused sign-in, try it again. */
  async function reconnect(): Promise<void> {
    const result = await backend.call('session.reconnect', {});
    if (result.ok) connection.value = result.value;
  }

  async function updateNickname(nickname: string): Promise<void> {
    const profile = await backend.run('profile.update', { nickname });
    if (profile) me.value = profile;
  }

  return {
    phase, session, me, connection, sync, ended, appInfo,
    start, login, logout, refresh, reconnect, onConnection, onSyncProgress, onEnded, updateNickname,
  };
});
