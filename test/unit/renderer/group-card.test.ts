// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupView, MemberView } from '../../../preload/api';
import { methodSchemas } from '../../../preload/api-schemas';
import MessageBubble from '../../../renderer/src/components/chat/MessageBubble.vue';
import GroupDetails from '../../../renderer/src/components/groups/GroupDetails.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useGroups } from '../../../renderer/src/stores/groups';
import { useProfiles } from '../../../renderer/src/stores/profiles';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { createFakeApi, message } from './fake-api';

const group: GroupView = {
  groupId: 'gteam', name: 'Team', owner: 'bob', mode: 'public', capacity: 500, memberCount: 2, announcement: '',
  myRole: 'member', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
};

/** A member's view of the group, the server taking an alias as the real one does (a copy of its members it changes). */
async function mountDetails(locale: Locale) {
  const members: MemberView[] = [
    { userId: 'bob', nickname: 'Bob', role: 'owner', card: 'Coach', muteUntilMs: 0 },
    { userId: 'me', nickname: 'Me', role: 'member', card: '', muteUntilMs: 0 },
  ];
  const pinia = createPinia();
  const api = createFakeApi({
    'profiles.get': () => [],
    'group.info': () => group,
    'group.members': () => ({ members: members.map((m) => ({ ...m })), total: members.length }),
    'group.setCard': ({ card }) => {
      members[1]!.card = card;
      return null;
    },
  });
  useBackend(pinia).attach(api);
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
  const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, api, pinia };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const textOf = (id: string) => byTestId(id)?.textContent?.trim() ?? '';
const myRowName = () => document.querySelector('[data-testid="member-row"][data-user="me"] .name')!.textContent!.trim();

async function type(value: string): Promise<void> {
  const input = byTestId('my-card-input') as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await flushPromises();
}

async function submit(): Promise<void> {
  byTestId('my-card')!.dispatchEvent(new Event('submit'));
  await flushPromises();
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('my alias in a group', () => {
  for (const [locale, label, long, control, saved, cleared] of [
    ['en', 'My alias in this group', 'An alias is at most 64 characters (this one is 65)',
      'An alias cannot hold line breaks or other control characters', 'Alias saved', 'Alias cleared: members see your nickname'],
    ['zh-CN', '我在本群的昵称', '群昵称最多 64 个字符（当前 65 个）', '群昵称不能包含换行等控制字符', '群昵称已保存', '群昵称已清除：群成员将看到你的昵称'],
  ] as const) {
    it(`is set, refused beside its field before sending, and cleared from the group's details (${locale})`, async () => {
      const { wrapper, api, pinia } = await mountDetails(locale);
      expect(document.querySelector('label[for="my-card-input"]')!.textContent!.trim()).toBe(label);
      expect(myRowName()).toBe('Me');
      // 65 characters as the server counts them (an emoji is one) is refused here, nothing sent
      await type('🐦'.repeat(65));
      await submit();
      expect(textOf('my-card-error')).toBe(long);
      expect(byTestId('my-card-input')!.getAttribute('aria-invalid')).toBe('true');
      // a line break cannot be typed into a one-line field, an escape can be pasted
      await type('red\u001b[31m');
      await submit();
      expect(textOf('my-card-error')).toBe(control);
      expect(api.callsOf('group.setCard')).toEqual([]);
      // 64 emoji are 64 characters to the server (and to the contract's schema), and are sent
      await type(` ${'🐦'.repeat(64)} `);
      expect(textOf('my-card-error')).toBe('');
      await submit();
      expect(api.callsOf('group.setCard')).toEqual([{ groupId: 'gteam', card: '🐦'.repeat(64) }]);
      expect(textOf('my-card-status')).toBe(saved);
      expect(myRowName()).toBe('🐦'.repeat(64));
      // cleared: the member list names me by my nickname again
      byTestId('my-card-clear')!.click();
      await flushPromises();
      expect(api.callsOf('group.setCard').at(-1)).toEqual({ groupId: 'gteam', card: '' });
      expect(textOf('my-card-status')).toBe(cleared);
      expect(myRowName()).toBe('Me');
      expect((byTestId('my-card-input') as HTMLInputElement).value).toBe('');
      expect(byTestId('my-card-clear')).toBeNull();
      expect(useToasts(pinia).items).toEqual([]);
      wrapper.unmount();
    });
  }

  it('shows the alias the member list holds, and says a refusal of the server in the field', async () => {
    const pinia = createPinia();
    const api = createFakeApi({
      'profiles.get': () => [],
    'group.info': () => group,
      'group.members': () => ({ members: [{ userId: 'me', nickname: 'Me', role: 'member', card: 'Old', muteUntilMs: 0 }], total: 1 }),
      'group.setCard': () => ({ ok: false, error: { code: 560070, message: 'muted' } }),
    });
    useBackend(pinia).attach(api);
    useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
    const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n('en')] }, attachTo: document.body });
    await flushPromises();
    expect((byTestId('my-card-input') as HTMLInputElement).value).toBe('Old');
    await type('New');
    await submit();
    expect(textOf('my-card-error')).not.toBe('');
    expect(textOf('my-card-status')).toBe('');
    expect((byTestId('my-card-input') as HTMLInputElement).value).toBe('New');
    expect(useToasts(pinia).items).toEqual([]);
    wrapper.unmount();
  });
});

describe("the contract's check of an alias", () => {
  it('counts as the server counts: 64 emoji pass the shells, 65 do not', () => {
    const schema = methodSchemas['group.setCard'].args;
    expect(schema.safeParse({ groupId: 'gteam', card: '🐦'.repeat(64) }).success).toBe(true);
    expect(schema.safeParse({ groupId: 'gteam', card: '' }).success).toBe(true);
    expect(schema.safeParse({ groupId: 'gteam', card: '🐦'.repeat(65) }).success).toBe(false);
  });
});

describe("a group chat's bubble", () => {
  it("names its sender by their alias in the group, as the member list does, else by their nickname", async () => {
    const pinia = createPinia();
    useBackend(pinia).attach(createFakeApi({ 'profiles.get': () => [] }));
    useProfiles(pinia).remember([{ userId: 'bob', nickname: 'Bob', avatar: '' }, { userId: 'cat', nickname: 'Cat', avatar: '' }]);
    useGroups(pinia).members = {
      gteam: [
        { userId: 'bob', nickname: 'Bob', role: 'owner', card: 'Coach', muteUntilMs: 0 },
        { userId: 'cat', nickname: 'Cat', role: 'member', card: '', muteUntilMs: 0 },
      ],
    };
    const sender = (from: string, isGroup = true, conversation = 'gteam') => {
      const wrapper = mount(MessageBubble, {
        props: { message: message('1', 1, { conversation, conversationKind: isGroup ? 'group' : 'user', from }), isGroup, highlighted: false },
        global: { plugins: [pinia, createMagpieI18n('en')] },
      });
      const name = wrapper.find('[data-testid="sender-name"]');
      const label = wrapper.get('[data-testid="message-bubble"]').attributes('aria-label')!;
      wrapper.unmount();
      return { name: name.exists() ? name.text() : '', label: label.split(',')[0] };
    };
    expect(sender('bob')).toEqual({ name: 'Coach', label: 'Coach' });
    expect(sender('cat')).toEqual({ name: 'Cat', label: 'Cat' });
    // an alias is the group's: a one-to-one chat names bob by his nickname
    expect(sender('bob', false, 'bob').label).toBe('Bob');
    await flushPromises();
  });
});
