// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../../preload/api';
import InvitePicker from '../../../renderer/src/components/groups/InvitePicker.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { useSession } from '../../../renderer/src/stores/session';
import { conversation, createFakeApi } from './fake-api';

/** The invite dialog's picker for a group whose members are `exclude`, over these chats. */
async function mountPicker(locale: Locale, chats: ConversationView[], exclude: string[]) {
  const pinia = createPinia();
  useBackend(pinia).attach(createFakeApi({ 'conversations.list': () => chats, 'profiles.get': () => [] }));
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
  await useConversations(pinia).load();
  return mount(InvitePicker, {
    props: { exclude, modelValue: [] },
    global: { plugins: [pinia, createMagpieI18n(locale)] },
  });
}

describe('the invite picker when no one is listed', () => {
  it('says everyone one chats with is already a member, with no empty list outline', async () => {
    const chats = [conversation('bob'), conversation('cat'), conversation('gteam')];
    for (const [locale, text] of [['en', 'Everyone you chat with is already in this group'], ['zh-CN', '聊过天的人都已在本群']] as const) {
      const wrapper = await mountPicker(locale, chats, ['me', 'bob', 'cat']);
      expect(wrapper.get('[data-testid="invite-picker-empty"]').text()).toContain(text);
      expect(wrapper.text()).not.toContain(locale === 'en' ? 'No one-to-one chats yet' : '还没有单聊');
      expect(wrapper.find('ul').exists()).toBe(false);
      expect(wrapper.find('[data-testid="invite-picker-search"]').exists()).toBe(false);
      wrapper.unmount();
    }
  });

  it('says there are no one-to-one chats only when there are none', async () => {
    for (const [locale, text] of [['en', 'No one-to-one chats yet'], ['zh-CN', '还没有单聊']] as const) {
      const wrapper = await mountPicker(locale, [conversation('gteam'), conversation('me')], ['me']);
      expect(wrapper.get('[data-testid="invite-picker-empty"]').text()).toContain(text);
      expect(wrapper.find('ul').exists()).toBe(false);
      wrapper.unmount();
    }
  });

  it('says a search matched no one, and lists the people it matches', async () => {
    const wrapper = await mountPicker('en', [conversation('bob'), conversation('cat')], ['me']);
    expect(wrapper.findAll('[data-testid="invite-candidate"]').map((c) => c.attributes('data-user'))).toEqual(['bob', 'cat']);
    expect(wrapper.find('[data-testid="invite-picker-empty"]').exists()).toBe(false);
    await wrapper.get('[data-testid="invite-picker-search"]').setValue('nobody-like-this');
    expect(wrapper.get('[data-testid="invite-picker-empty"]').text()).toContain('No one matches');
    expect(wrapper.find('ul').exists()).toBe(false);
    wrapper.unmount();
  });
});
