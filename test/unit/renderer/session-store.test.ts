import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionInfo, GroupView, NoticeView } from '../../../preload/api';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { useGroups } from '../../../renderer/src/stores/groups';
import { START_SIGN_IN_WAIT_MS, useSession } from '../../../renderer/src/stores/session';
import { useSettings } from '../../../renderer/src/stores/settings';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { conversation, createFakeApi, type Handlers } from './fake-api';

const me = { userId: 'u1', appId: 'app', nickname: 'Me', servers: ['127.0.0.1:8883'] };

function start(handlers: Handlers) {
  setActivePinia(createPinia());
  const api = createFakeApi({
    'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
    'conversations.list': () => [conversation('alice', { unread: 1 })],
    'groups.mine': () => [],
    'group.requests': () => [],
    'session.connection': () => ({ state: 'online' }),
    'profile.me': () => ({ userId: 'u1', nickname: 'Me', avatar: '' }),
    ...handlers,
  });
  useBackend().attach(api);
  wireEvents();
  return api;
}

describe('the session store', () => {
  it('restores a remembered session at start and loads the main screen', async () => {
    start({ 'session.restore': () => me });
    const session = useSession();
    await session.start();
    expect(session.phase).toBe('signedIn');
    expect(session.connection.state).toBe('online');
    expect(useConversations().byId.alice).toBeDefined();
    expect(session.appInfo?.shell).toBe('web');
  });

  it('signing out keeps who signed in for the form; forgetting the account leaves no user id in it', async () => {
    start({ 'session.restore': () => me, 'session.logout': () => null });
    const session = useSession();
    await session.start();
    await session.logout(false);
    expect(session.lastLogin).toEqual({ appId: 'app', userId: 'u1', servers: ['127.0.0.1:8883'], method: { type: 'password' } });
    start({ 'session.restore': () => me, 'session.logout': () => null });
    const again = useSession();
    await again.start();
    await again.logout(true);
    expect(again.phase).toBe('signedOut');
    expect(again.lastLogin).toEqual({ appId: 'app', userId: '', servers: ['127.0.0.1:8883'], method: { type: 'password' } });
  });

  it('shows the sign-in form when nothing is remembered', async () => {
    start({ 'session.restore': () => null });
    const session = useSession();
    await session.start();
    expect(session.phase).toBe('signedOut');
  });

  it('returns a failed sign-in as an error for the form, and stays signed out', async () => {
    const api = start({ 'session.restore': () => null, 'session.login': () => ({ ok: false, error: { code: 520006, message: 'wrong password' } }) });
    const session = useSession();
    await session.start();
    const error = await session.login({ servers: ['127.0.0.1:8883'], appId: 'app', auth: { type: 'password', user: 'u1', password: 'x' }, remember: false, force: true });
    expect(error).toEqual({ code: 520006, message: 'wrong password' });
    expect(session.phase).toBe('signedOut');
    expect(api.callsOf('session.login')[0]).toMatchObject({ remember: false, mode: 'force' });
  });

  it('shows the sync bar only for a large sync, until it is done', () => {
    start({});
    const session = useSession();
    session.onSyncProgress({ applied: 0, target: 10, done: false });
    expect(session.sync.visible).toBe(false);
    session.onSyncProgress({ applied: 0, target: 500, done: false });
    expect(session.sync.visible).toBe(true);
    session.onSyncProgress({ applied: 480, target: 500, done: false });
    expect(session.sync.visible).toBe(true);
    session.onSyncProgress({ applied: 500, target: 500, done: true });
    expect(session.sync.visible).toBe(false);
  });

  it('follows connection events and signs out when the session ends', async () => {
    const api = start({ 'session.restore': () => me });
    const session = useSession();
    await session.start();
    api.emit('connection.state', { state: 'kicked', reason: 'signed in on another desktop' });
    expect(session.connection).toEqual({ state: 'kicked', reason: 'signed in on another desktop' });
    api.emit('session.ended', { reason: 'account closed', code: 520004 });
    expect(session.phase).toBe('signedOut');
    expect(session.ended?.code).toBe(520004);
    expect(useConversations().byId).toEqual({});
  });

  it('leaves the chats for the form when the server refuses the sign-in for good, and Retry now brings them back', async () => {
    let state: ConnectionInfo = { state: 'online' };
    const api = start({ 'session.restore': () => me, 'session.connection': () => state, 'session.reconnect': () => ({ state: 'connecting' }) });
    const session = useSession();
    await session.start();
    expect(session.phase).toBe('signedIn');
    // a reconnect, refused: no chat stays open to type into
    state = { state: 'offline', code: 520003, reason: 'app offline' };
    api.emit('connection.state', state);
    expect(session.phase).toBe('signedOut');
    expect(session.ended).toEqual({ reason: 'app offline', code: 520003, refused: true });
    expect(useConversations().byId).toEqual({});
    expect(session.lastLogin?.userId).toBe('u1');
    // refused again: still the form, the button back
    await session.reconnect();
    expect(session.retrying).toBe(true);
    api.emit('connection.state', { state: 'offline', code: 520003, reason: 'app offline' });
    expect(session.retrying).toBe(false);
    expect(session.phase).toBe('signedOut');
    // the app back online: the same session, its chats again
    await session.reconnect();
    state = { state: 'online' };
    api.emit('connection.state', state);
    await vi.waitFor(() => expect(session.phase).toBe('signedIn'));
    expect(session.ended).toBeNull();
    await vi.waitFor(() => expect(useConversations().byId.alice).toBeDefined());
  });

  it('a page loaded after the refusal asks again once, and shows the form and why when refused again, not the chats', async () => {
    const refused: ConnectionInfo = { state: 'offline', code: 520006, reason: 'wrong password' };
    const api = start({ 'session.restore': () => me, 'session.connection': () => refused, 'session.reconnect': () => ({ state: 'connecting' }) });
    const session = useSession();
    const starting = session.start();
    await vi.waitFor(() => expect(api.callsOf('session.reconnect')).toHaveLength(1));
    expect(session.phase).toBe('starting');
    api.emit('connection.state', refused);
    await starting;
    expect(session.phase).toBe('signedOut');
    expect(session.ended).toEqual({ reason: 'wrong password', code: 520006, refused: true });
    expect(useConversations().byId).toEqual({});
    expect(api.callsOf('conversations.list')).toHaveLength(0);
    expect(session.lastLogin?.userId).toBe('u1');
  });

  it('a page loaded after the refusal signs in when the refusal was lifted meanwhile, no Retry now pressed', async () => {
    let state: ConnectionInfo = { state: 'offline', code: 520003, reason: 'app offline' };
    const api = start({ 'session.restore': () => me, 'session.connection': () => state, 'session.reconnect': () => ({ state: 'connecting' }) });
    const session = useSession();
    const starting = session.start();
    await vi.waitFor(() => expect(api.callsOf('session.reconnect')).toHaveLength(1));
    state = { state: 'online' };
    api.emit('connection.state', state);
    await starting;
    expect(session.phase).toBe('signedIn');
    expect(session.ended).toBeNull();
    expect(useConversations().byId.alice).toBeDefined();
  });

  it('a start on a sign-in still going waits for its answer: a refusal shows the form with no chats first', async () => {
    const api = start({ 'session.restore': () => me, 'session.connection': () => ({ state: 'connecting' }) });
    const session = useSession();
    const starting = session.start();
    await vi.waitFor(() => expect(api.callsOf('session.connection')).toHaveLength(1));
    expect(session.phase).toBe('starting');
    api.emit('connection.state', { state: 'offline', code: 520003, reason: 'app offline' });
    await starting;
    expect(session.phase).toBe('signedOut');
    expect(session.ended).toEqual({ reason: 'app offline', code: 520003, refused: true });
    expect(api.callsOf('conversations.list')).toHaveLength(0);
    // asked at the start, not again: this refusal is news, not an old one
    expect(api.callsOf('session.reconnect')).toHaveLength(0);
  });

  it('a start on a server that does not answer shows the chats after a while, from the store', async () => {
    vi.useFakeTimers();
    try {
      const api = start({ 'session.restore': () => me, 'session.connection': () => ({ state: 'connecting' }) });
      const session = useSession();
      const starting = session.start();
      await vi.waitFor(() => expect(api.callsOf('session.connection')).toHaveLength(1));
      await vi.advanceTimersByTimeAsync(START_SIGN_IN_WAIT_MS - 100);
      expect(session.phase).toBe('starting');
      // the network is down: the engine tries again later, the chats show meanwhile
      api.emit('connection.state', { state: 'connecting' });
      await vi.advanceTimersByTimeAsync(100);
      await starting;
      expect(session.phase).toBe('signedIn');
      expect(useConversations().byId.alice).toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a start on a server that cannot be reached shows the chats at once', async () => {
    const api = start({ 'session.restore': () => me, 'session.connection': () => ({ state: 'connecting' }) });
    const session = useSession();
    const starting = session.start();
    await vi.waitFor(() => expect(api.callsOf('session.connection')).toHaveLength(1));
    api.emit('connection.state', { state: 'reconnecting', code: 171001, reason: 'not connected' });
    await starting;
    expect(session.phase).toBe('signedIn');
  });

  it('an offline without a code (no network, the engine stopped) keeps the chats', async () => {
    const api = start({ 'session.restore': () => me });
    const session = useSession();
    await session.start();
    api.emit('connection.state', { state: 'offline', reason: 'stopped' });
    expect(session.phase).toBe('signedIn');
    expect(session.ended).toBeNull();
  });

  it("reckons the server's clock from the time the core tells, whatever the page's clock says, and forgets it at sign-out", async () => {
    vi.useFakeTimers();
    try {
      const pageMs = Date.UTC(2026, 2, 1, 9, 0, 0);
      vi.setSystemTime(pageMs);
      // the page's clock is 3 minutes fast: the core tells a server time 3 minutes behind it
      const api = start({ 'session.restore': () => me, 'session.connection': () => ({ state: 'online', serverTimeMs: pageMs - 180_000 }), 'session.logout': () => null });
      const session = useSession();
      expect(session.serverNow()).toBe(pageMs);
      await session.start();
      expect(session.serverOffsetMs).toBe(-180_000);
      expect(session.serverNow()).toBe(pageMs - 180_000);
      vi.advanceTimersByTime(60_000);
      expect(session.serverNow()).toBe(pageMs - 120_000);
      // a state that tells none keeps it; a later login that tells another takes it
      api.emit('connection.state', { state: 'reconnecting' });
      expect(session.serverOffsetMs).toBe(-180_000);
      api.emit('connection.state', { state: 'online', serverTimeMs: Date.now() + 5_000 });
      expect(session.serverOffsetMs).toBe(5_000);
      await session.logout(true);
      expect(session.serverOffsetMs).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a failed action as a toast with its code', async () => {
    start({ 'conversation.setPinned': () => ({ ok: false, error: { code: 171001, message: 'not connected' } }) });
    await useConversations().setPinned('alice', true);
    expect(useToasts().items.map((t) => t.code)).toEqual([171001]);
  });
});

describe('the groups store', () => {
  const group: GroupView = {
    groupId: 'g1', name: 'Team', owner: 'u1', mode: 'approval', capacity: 200, memberCount: 2, announcement: '',
    myRole: 'owner', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
  };
  const apply: NoticeView = { kind: 'apply', groupId: 'g1', actor: 'bob', targets: ['bob'], text: '', requestId: 7 };
  const invite: NoticeView = { kind: 'invite_request', groupId: 'g2', actor: 'carol', targets: ['u1'], text: '', requestId: 9 };

  it('approves an application, accepts an invitation, and clears each from the inbox', async () => {
    const api = start({ 'group.requests': () => [apply, invite], 'group.info': ({ groupId }) => ({ ...group, groupId }) });
    const groups = useGroups();
    await groups.loadRequests();
    await groups.answer(apply, true);
    await groups.answer(invite, true);
    expect(api.callsOf('group.approve')).toEqual([{ groupId: 'g1', requestId: 7 }]);
    expect(api.callsOf('group.acceptInvite')).toEqual([{ groupId: 'g2', requestId: 9 }]);
    expect(groups.requests).toEqual([]);
    expect(groups.byId.g2?.groupId).toBe('g2');
  });

  it('rejects an application and declines an invitation', async () => {
    const api = start({ 'group.requests': () => [apply, invite] });
    const groups = useGroups();
    await groups.loadRequests();
    await groups.answer(apply, false);
    await groups.answer(invite, false);
    expect(api.callsOf('group.reject')).toEqual([{ groupId: 'g1', requestId: 7 }]);
    expect(api.callsOf('group.declineInvite')).toEqual([{ groupId: 'g2', requestId: 9 }]);
  });

  it('lists only groups I am still in, and follows group updates', async () => {
    const api = start({ 'groups.mine': () => [group, { ...group, groupId: 'g0', name: 'Archive', dismissed: true }] });
    const groups = useGroups();
    await groups.loadMine();
    expect(groups.mine.map((g) => g.groupId)).toEqual(['g1']);
    api.emit('group.updated', { group: { ...group, name: 'Renamed' } });
    expect(groups.mine[0]?.name).toBe('Renamed');
    await groups.leave('g1', 'dismiss');
    expect(groups.mine).toEqual([]);
  });
});

describe('the settings store', () => {
  it('follows the system language and colour scheme when set to system', async () => {
    start({ 'settings.get': () => ({ notifications: true, preview: 'full', language: 'system', theme: 'system', servers: [] }) });
    const settings = useSettings();
    await settings.load();
    settings.setSystem('zh-CN', true);
    expect(settings.locale).toBe('zh-CN');
    expect(settings.theme).toBe('dark');
    settings.setSystem('en-US', false);
    expect(settings.locale).toBe('en');
    expect(settings.theme).toBe('light');
  });

  it('keeps an explicit choice whatever the system says', async () => {
    const api = start({ 'settings.update': (change) => ({ notifications: true, preview: 'full', language: 'system', theme: 'system', servers: [], ...change }) });
    const settings = useSettings();
    settings.setSystem('en-US', true);
    await settings.update({ language: 'zh-CN', theme: 'light' });
    expect(settings.locale).toBe('zh-CN');
    expect(settings.theme).toBe('light');
    expect(api.callsOf('settings.update')).toEqual([{ language: 'zh-CN', theme: 'light' }]);
  });
});
