// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { GroupView } from '../../../preload/api';
import { avatarInitial } from '../../../renderer/src/identity/avatar-initial';
import { firstBadUserId, userIdProblem } from '../../../renderer/src/identity/user-id';
import { spaceNames } from '../../../renderer/src/composables/notice-text';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { useGroups } from '../../../renderer/src/stores/groups';
import { createProfileRefresh } from '../../../renderer/src/stores/profile-refresh';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { useUi } from '../../../renderer/src/stores/ui';
import { conversation, createFakeApi, type Handlers, noticeMessage } from './fake-api';

const me = { userId: 'u1', appId: 'app1', nickname: 'Me', servers: ['127.0.0.1:8883'] };
const group: GroupView = {
  groupId: 'g1', name: 'Team', owner: 'u1', mode: 'approval', capacity: 500, memberCount: 1, announcement: '',
  myRole: 'owner', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
};

function start(handlers: Handlers) {
  setActivePinia(createPinia());
  const api = createFakeApi({
    'conversations.list': () => [],
    'groups.mine': () => [],
    'group.requests': () => [],
    'session.connection': () => ({ state: 'online' }),
    'profile.me': () => ({ userId: 'u1', nickname: 'Me', avatar: '' }),
    'session.restore': () => me,
    ...handlers,
  });
  useBackend().attach(api);
  wireEvents();
  return api;
}

describe('an avatar initial', () => {
  it('is the first letter or character, skipping markup-like punctuation', () => {
    expect(avatarInitial('<b>鲍勃</b>', 'bob')).toBe('鲍');
    expect(avatarInitial('alice', 'u1')).toBe('A');
    expect(avatarInitial('"quoted" name', 'u1')).toBe('Q');
    expect(avatarInitial('<<<>>>', 'zed')).toBe('Z');
    expect(avatarInitial('', '')).toBe('?');
  });
});

describe('user ids as typed', () => {
  it('follow the documented rules, naming the first that does not and why', () => {
    expect(userIdProblem('carol')).toBeNull();
    expect(userIdProblem('a_b-9')).toBeNull();
    expect(userIdProblem('张三')).toBe('characters');
    expect(userIdProblem('bob smith')).toBe('characters');
    expect(userIdProblem('g123')).toBe('groupPrefix');
    expect(userIdProblem('x'.repeat(65))).toBe('tooLong');
    expect(userIdProblem('x'.repeat(64))).toBeNull();
    expect(userIdProblem('')).toBe('empty');
    expect(firstBadUserId(['carol', '张三', 'g1'])).toEqual({ id: '张三', problem: 'characters' });
    expect(firstBadUserId(['carol', 'dave'])).toBeNull();
  });
});

describe('Chinese notices', () => {
  it('space a Latin name from Chinese text, never Chinese from Chinese', () => {
    const mark = (s: string) => `\u0001${s}\u0002`;
    expect(spaceNames(`${mark('你')}加入了群组`)).toBe('你加入了群组');
    expect(spaceNames(`${mark('alice')}将${mark('你')}禁言`)).toBe('alice 将你禁言');
    expect(spaceNames(`${mark('alice')}邀请${mark('bob')}、${mark('鲍勃')}加入了群组`)).toBe('alice 邀请 bob、鲍勃加入了群组');
    expect(spaceNames(`${mark('Bob鲍')}退出了群组`)).toBe('Bob鲍退出了群组');
  });
});

describe('the session, as the user sees it', () => {
  it('treats its own sign-out as no news, whether the echo comes before or after the answer', async () => {
    const api = start({ 'session.logout': () => { api.emit('session.ended', { reason: 'signed out' }); return null; } });
    const session = useSession();
    await session.start();
    await session.logout(false);
    expect(session.ended).toBeNull();
    api.emit('session.ended', { reason: 'signed out' });
    expect(session.ended).toBeNull();
    expect(session.lastLogin).toEqual({ appId: 'app1', userId: 'u1', servers: ['127.0.0.1:8883'], method: { type: 'password' } });
  });

  it('keeps a kick, and opens on the chats after the next sign-in', async () => {
    const api = start({ 'session.login': () => me });
    const session = useSession();
    await session.start();
    useUi().view = 'settings';
    api.emit('session.ended', { reason: 'logged in on another desktop device (0b1c…)', code: 175004 });
    expect(session.ended?.code).toBe(175004);
    await session.login({ servers: me.servers, appId: 'app1', auth: { type: 'password', user: 'u1', password: 'x' }, remember: false, force: false });
    expect(useUi().view).toBe('chats');
  });
});

describe('group notices', () => {
  it('refresh the group from the server, quietly, and rename its chat', async () => {
    const api = start({ 'group.info': () => ({ ...group, name: 'Renamed', mode: 'private', memberCount: 2 }) });
    const groups = useGroups();
    const conversations = useConversations();
    groups.upsert(group);
    conversations.upsert(conversation('g1', { kind: 'group', title: 'Team' }));
    api.emit('message.upserted', { message: noticeMessage({ kind: 'modify', groupId: 'g1', actor: 'u2', targets: [], text: '' }) });
    await flushPromises();
    expect(groups.byId.g1).toMatchObject({ name: 'Renamed', mode: 'private', memberCount: 2 });
    expect(conversations.byId.g1?.title).toBe('Renamed');
  });

  it('raise no error toast when the group was dismissed', async () => {
    const api = start({
      'group.dismiss': () => null,
      'group.info': () => ({ ok: false, error: { code: 560002, message: 'dismissed' } }),
      'group.members': () => ({ ok: false, error: { code: 560002, message: 'dismissed' } }),
    });
    const groups = useGroups();
    groups.upsert(group);
    groups.members.g1 = [{ userId: 'u1', nickname: '', role: 'owner', card: '', muteUntilMs: 0 }];
    await groups.leave('g1', 'dismiss');
    api.emit('message.upserted', { message: noticeMessage({ kind: 'dismiss', groupId: 'g1', actor: 'u1', targets: [], text: '' }) });
    api.emit('message.upserted', { message: noticeMessage({ kind: 'quit', groupId: 'g1', actor: 'u2', targets: [], text: '' }) });
    await flushPromises();
    expect(useToasts().items).toEqual([]);
    expect(groups.byId.g1?.dismissed).toBe(true);
  });

  it("as a member: the dismiss notice empties the group's member list, and the info panel's loud refresh says nothing", async () => {
    let asked = 0;
    const api = start({
      'group.info': () => ({ ok: false, error: { code: 560002, message: 'dismissed' } }),
      'group.members': () => ((asked += 1), { ok: false, error: { code: 560002, message: 'dismissed' } }),
    });
    const groups = useGroups();
    groups.upsert({ ...group, myRole: 'member', memberCount: 2 });
    groups.members.g1 = [
      { userId: 'u1', nickname: '', role: 'member', card: '', muteUntilMs: 0 },
      { userId: 'u2', nickname: '', role: 'owner', card: '', muteUntilMs: 0 },
    ];
    api.emit('message.upserted', { message: noticeMessage({ kind: 'dismiss', groupId: 'g1', actor: 'u2', targets: [], text: '' }) });
    await flushPromises();
    expect(groups.members.g1).toEqual([]);
    expect(groups.byId.g1).toMatchObject({ dismissed: true, memberCount: 0 });
    // what the info panel does on opening, not quiet: a group known to be dismissed is not asked about
    await Promise.all([groups.refresh('g1'), groups.loadMembers('g1')]);
    expect(asked).toBe(0);
    expect(useToasts().items).toEqual([]);
  });

  it('met for the first time by a loud refresh, is no error: the group is marked dismissed and its members go', async () => {
    start({ 'group.members': () => ({ ok: false, error: { code: 560002, message: 'dismissed' } }) });
    const groups = useGroups();
    groups.upsert({ ...group, myRole: 'member', memberCount: 2 });
    groups.members.g1 = [{ userId: 'u2', nickname: '', role: 'owner', card: '', muteUntilMs: 0 }];
    await groups.loadMembers('g1');
    expect(useToasts().items).toEqual([]);
    expect(groups.members.g1).toEqual([]);
    expect(groups.byId.g1).toMatchObject({ dismissed: true, memberCount: 0 });
  });
});

describe('nicknames', () => {
  it('reach chat titles and member lists when asked again', async () => {
    start({ 'profiles.get': ({ userIds }) => userIds.map((userId) => ({ userId, nickname: userId === 'bob' ? '鲍勃' : '', avatar: '' })) });
    const conversations = useConversations();
    const groups = useGroups();
    conversations.upsert(conversation('bob', { title: 'bob' }));
    groups.members.g1 = [{ userId: 'bob', nickname: 'bob', role: 'member', card: '', muteUntilMs: 0 }];
    const refresh = createProfileRefresh(() => 100_000);
    await refresh.all();
    expect(conversations.byId.bob?.title).toBe('鲍勃');
    expect(groups.members.g1?.[0]?.nickname).toBe('鲍勃');
  });
});
