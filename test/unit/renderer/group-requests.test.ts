import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { NoticeView } from '../../../preload/api';
import { useBackend } from '../../../renderer/src/stores/backend';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { useGroups } from '../../../renderer/src/stores/groups';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { createFakeApi, type Handlers, noticeMessage } from './fake-api';

const application: NoticeView = { kind: 'apply', groupId: 'g1', actor: 'dave', targets: ['dave'], text: 'I am Dave', requestId: 7 };

function start(handlers: Handlers, waiting: () => NoticeView[] = () => [application]) {
  setActivePinia(createPinia());
  const api = createFakeApi({ 'group.requests': waiting, 'group.info': () => ({ ok: false, error: { code: 560002, message: 'dismissed' } }), ...handlers });
  useBackend().attach(api);
  wireEvents();
  return api;
}

describe('the requests inbox', () => {
  it('drops a request the server says no longer waits (560008, 560002), without an error toast', async () => {
    for (const code of [560008, 560002]) {
      let left = [application];
      start({ 'group.approve': () => ({ ok: false, error: { code, message: 'gone' } }), 'group.reject': () => ({ ok: false, error: { code, message: 'gone' } }) }, () => left);
      const groups = useGroups();
      await groups.loadRequests();
      expect(groups.requests).toHaveLength(1);
      left = [];
      expect(await groups.answer(application, code === 560008)).toBe('gone');
      expect(groups.requests).toEqual([]);
      expect(useToasts().items.filter((t) => t.kind === 'error')).toEqual([]);
    }
  });

  it('keeps a request whose answer failed for another reason, and says why', async () => {
    start({ 'group.approve': () => ({ ok: false, error: { code: 560005, message: 'not an admin' } }) });
    const groups = useGroups();
    await groups.loadRequests();
    expect(await groups.answer(application, true)).toBe('failed');
    expect(groups.requests).toHaveLength(1);
    expect(useToasts().items.map((t) => t.code)).toEqual([560005]);
  });

  it('is read again when a notice may end a request: the group dismissed, its user let in', async () => {
    for (const notice of [
      { kind: 'dismiss', groupId: 'g1', actor: 'alice', targets: [], text: '' },
      { kind: 'invite', groupId: 'g1', actor: 'alice', targets: ['dave'], text: '' },
      { kind: 'approve', groupId: 'g1', actor: 'alice', targets: ['dave'], text: '', requestId: 7 },
    ] satisfies NoticeView[]) {
      let left = [application];
      const api = start({}, () => left);
      const groups = useGroups();
      await groups.loadRequests();
      left = [];
      api.emit('message.upserted', { message: noticeMessage(notice) });
      await flushPromises();
      expect(groups.requests, notice.kind).toEqual([]);
    }
  });
});

describe('the applicant', () => {
  const signedInAs = (userId: string) => {
    useSession().session = { userId, appId: 'app1', nickname: '', servers: [] } as never;
  };

  it('is told a refusal with its reason, and may apply again', async () => {
    const api = start({ 'group.apply': () => ({ requestId: 7 }) }, () => []);
    signedInAs('dave');
    const groups = useGroups();
    groups.upsert({ groupId: 'g1', name: 'Book Club', owner: 'ann', mode: 'approval', capacity: 500, memberCount: 2, announcement: '', myRole: 'none', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false });
    await groups.apply('g1', 'I am Dave');
    expect(groups.applied.has('g1')).toBe(true);
    api.emit('message.upserted', { message: noticeMessage({ kind: 'reject', groupId: 'g1', actor: 'ann', targets: ['dave'], text: 'full for now', requestId: 7 }) });
    await flushPromises();
    expect(useToasts().items.map((t) => t.words)).toEqual([{ key: 'groups.applicationDeclined', values: { group: 'Book Club', reason: 'full for now' } }]);
    expect(groups.applied.has('g1')).toBe(false);
  });

  it('is told an approval by the group\'s name after a reload, when the page knew the group only by its id', async () => {
    const bookClub = { groupId: 'g1', name: 'Book Club', owner: 'ann', mode: 'approval', capacity: 500, memberCount: 3, announcement: '', myRole: 'member', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false } as const;
    const api = start({ 'group.info': () => bookClub }, () => []);
    signedInAs('dave');
    api.emit('message.upserted', { message: noticeMessage({ kind: 'approve', groupId: 'g1', actor: 'ann', targets: ['dave'], text: '', requestId: 7 }) });
    await flushPromises();
    expect(useToasts().items.map((t) => t.words)).toEqual([{ key: 'groups.applicationApproved', values: { group: 'Book Club' } }]);
  });

  it('is told an approval; an admin reading the same notices about someone else is not', async () => {
    const api = start({}, () => []);
    signedInAs('dave');
    api.emit('message.upserted', { message: noticeMessage({ kind: 'approve', groupId: 'g1', actor: 'ann', targets: ['dave'], text: '', requestId: 7 }) });
    api.emit('message.upserted', { message: noticeMessage({ kind: 'reject', groupId: 'g1', actor: 'ann', targets: ['erin'], text: 'no', requestId: 8 }) });
    await flushPromises();
    expect(useToasts().items.map((t) => t.words?.key)).toEqual(['groups.applicationApproved']);
  });
});
