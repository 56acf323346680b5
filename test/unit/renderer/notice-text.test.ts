// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { NoticeView } from '../../../preload/api';
import { useNoticeText } from '../../../renderer/src/composables/notice-text';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useProfiles } from '../../../renderer/src/stores/profiles';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi } from './fake-api';

/** The system lines the chat and the chat list show for these notices, as user u1. */
function lines(locale: Locale, notices: NoticeView[]): string[] {
  const pinia = createPinia();
  useBackend(pinia).attach(createFakeApi({ 'profiles.get': () => [] }));
  useProfiles(pinia).remember([{ userId: 'ann', nickname: 'ann', avatar: '' }]);
  useSession(pinia).session = { userId: 'u1', appId: 'app1', nickname: 'Me', servers: [] };
  let out: string[] = [];
  const Probe = defineComponent({
    setup() {
      const text = useNoticeText();
      // names and quotes come as bidi isolates (FSI … PDI) that BidiText draws as <bdi>: read the words
      out = notices.map(text).map((line) => line.replace(/[\u2066-\u2069]/gu, ''));
      return () => h('div');
    },
  });
  mount(Probe, { global: { plugins: [pinia, createMagpieI18n(locale)] } }).unmount();
  return out;
}

const modify = (changes?: NoticeView['changes'], text = '', actor = 'ann'): NoticeView => ({
  kind: 'modify',
  groupId: 'g1',
  actor,
  targets: [],
  text,
  ...(changes === undefined ? {} : { changes }),
});

describe('the system line of a group change', () => {
  const notices = [
    modify({ name: 'New name' }),
    modify({ name: `Long ${'name '.repeat(20)}` }),
    modify({ announcement: 'Meet at 10,\nroom 3' }, 'Meet at 10,\nroom 3'),
    modify({ announcement: '' }),
    modify({ mode: 'approval' }),
    modify({ inviteConfirm: true }),
    modify({ inviteConfirm: false }, '', 'u1'),
    modify({ name: 'Events 2', mode: 'private', announcement: 'Bring slides' }, 'Bring slides'),
    modify({ name: 'Events 2', mode: 'public' }, '', 'u1'),
    // stored before notices said what changed
    modify(undefined),
    modify(undefined, 'Old announcement'),
  ];

  it('says in English which setting changed and to what, all of them in one line', () => {
    expect(lines('en', notices)).toEqual([
      'ann renamed the group to "New name"',
      `ann renamed the group to "Long ${'name '.repeat(10)}name…"`,
      'ann changed the announcement: Meet at 10, room 3',
      'ann cleared the announcement',
      'ann made joining need approval',
      'ann asked invitees to accept before joining',
      'You let invitees join without accepting',
      'ann renamed the group to "Events 2", made the group invite-only and changed the announcement: Bring slides',
      'You renamed the group to "Events 2" and made the group public',
      'ann changed the group info',
      'ann changed the announcement: Old announcement',
    ]);
  });

  it('says the same in Chinese', () => {
    expect(lines('zh-CN', notices)).toEqual([
      'ann 将群名称改为“New name”',
      `ann 将群名称改为“Long ${'name '.repeat(10)}name…”`,
      'ann 修改了群公告：Meet at 10, room 3',
      'ann 清空了群公告',
      'ann 将群设为加入需审核',
      'ann 开启了入群邀请确认',
      '你关闭了入群邀请确认',
      'ann 将群名称改为“Events 2”，将群设为仅限邀请，修改了群公告：Bring slides',
      '你将群名称改为“Events 2”，将群设为公开',
      'ann 修改了群资料',
      'ann 修改了群公告：Old announcement',
    ]);
  });
});

describe('the system line of mute all', () => {
  const notices = [modify({ muteAll: true }), modify({ muteAll: false }), modify({ muteAll: true }, '', 'u1')];

  it('says who turned it on or off, in English and in Chinese', () => {
    expect(lines('en', notices)).toEqual(['ann turned on mute all', 'ann turned off mute all', 'You turned on mute all']);
    expect(lines('zh-CN', notices)).toEqual(['ann 开启了全员禁言', 'ann 关闭了全员禁言', '你开启了全员禁言']);
  });
});

describe('the system line of a change of role', () => {
  const role = (targetRole: NoticeView['role'], actor = 'u1'): NoticeView => ({ kind: 'role', groupId: 'g1', actor, targets: ['ann'], text: '', role: targetRole });

  it('reads as a sentence in English: "an admin", "a member", not a badge\'s capitalised word', () => {
    expect(lines('en', [role('admin'), role('member'), role('admin', 'ann')])).toEqual([
      'You made ann an admin',
      'You made ann a member',
      'ann made ann an admin',
    ]);
  });

  it('in Chinese, the role as it is named everywhere', () => {
    expect(lines('zh-CN', [role('admin'), role('member')])).toEqual(['你将 ann 设为管理员', '你将 ann 设为成员']);
  });
});
