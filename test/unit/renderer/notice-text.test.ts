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

  const toMe = (targetRole: NoticeView['role']): NoticeView => ({ ...role(targetRole, 'ann'), targets: ['u1'] });

  it('reads as a sentence in English: "an admin", not a badge\'s capitalised word; an admin made a member again is "removed as admin"', () => {
    expect(lines('en', [role('admin'), role('member'), role('admin', 'ann'), toMe('member'), toMe('admin')])).toEqual([
      'You made ann an admin',
      'You removed ann as admin',
      'ann made ann an admin',
      'ann removed you as admin',
      'ann made you an admin',
    ]);
  });

  it('in Chinese, the role as it is named everywhere', () => {
    expect(lines('zh-CN', [role('admin'), role('member'), toMe('member')])).toEqual(['你将 ann 设为管理员', '你取消了 ann 的管理员身份', 'ann 取消了你的管理员身份']);
  });
});

describe('the system line of a mute', () => {
  const mute = (muteSeconds: number | undefined, targets = ['ann'], actor = 'u1'): NoticeView => ({
    kind: 'mute', groupId: 'g1', actor, targets, text: '', muteUntilMs: muteSeconds === 0 ? 0 : 1_800_000_000_000, ...(muteSeconds ? { muteSeconds } : {}),
  });

  it('says for how long, in the largest whole units, when the notice says it', () => {
    expect(lines('en', [mute(600), mute(5_400, ['u1'], 'ann'), mute(30 * 86_400), mute(86_400 + 61), mute(1), mute(undefined), mute(0)])).toEqual([
      'You muted ann for 10 minutes',
      'ann muted you for 1 hour 30 minutes',
      'You muted ann for 30 days',
      'You muted ann for 1 day 1 minute 1 second',
      'You muted ann for 1 second',
      // an end without the notice's time to measure it from: no length to say
      'You muted ann',
      'You unmuted ann',
    ]);
  });

  it('in Chinese', () => {
    expect(lines('zh-CN', [mute(600), mute(5_400, ['u1'], 'ann'), mute(2 * 86_400), mute(undefined), mute(0)])).toEqual([
      '你将 ann 禁言 10 分钟',
      'ann 将你禁言 1 小时 30 分钟',
      '你将 ann 禁言 2 天',
      '你将 ann 禁言',
      '你解除了 ann 的禁言',
    ]);
  });
});
