// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import ConversationList from '../../../renderer/src/components/conversations/ConversationList.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { conversation, createFakeApi } from './fake-api';

async function mountList(locale: Locale) {
  const pinia = createPinia();
  const api = createFakeApi({
    'conversations.list': () => [
      conversation('alice', { title: 'Alice', lastTimeMs: 30, unread: 2, lastPreview: 'hi' }),
      conversation('bob', { title: 'Bob', lastTimeMs: 20, draft: 'see you at\u0007', unread: 5, muted: true }),
      conversation('g1', { title: 'Team', lastTimeMs: 10, pinned: true }),
    ],
  });
  useBackend(pinia).attach(api);
  await useConversations(pinia).load();
  const wrapper = mount(ConversationList, { global: { plugins: [pinia, createMagpieI18n(locale)] } });
  return { wrapper, pinia, api };
}

describe('the conversation list', () => {
  it('shows pinned first, then by time, with unread badges, a grey badge when muted, and the draft (its control characters named)', async () => {
    const { wrapper } = await mountList('en');
    const items = wrapper.findAll('[data-testid="conversation-item"]');
    expect(items.map((i) => i.attributes('data-conversation'))).toEqual(['g1', 'alice', 'bob']);
    expect(items[1]!.get('[data-testid="unread-badge"]').text()).toBe('2');
    expect(items[2]!.get('[data-testid="unread-badge"]').classes()).toContain('muted');
    expect(items[2]!.get('[data-testid="draft-marker"]').text()).toBe('[Draft]');
    // a control character in the draft is named, as in the preview and the bubble
    expect(items[2]!.text()).toContain('see you at<BEL>');
    wrapper.unmount();
  });

  it('marks a pinned chat with a visible pin, not only in words for screen readers, as a muted one has its bell', async () => {
    for (const [locale, word] of [['en', 'Pinned'], ['zh-CN', '置顶']] as const) {
      const { wrapper } = await mountList(locale);
      const [team, alice, bob] = wrapper.findAll('[data-testid="conversation-item"]');
      const pin = team!.get('[data-testid="pinned-marker"]');
      expect(pin.find('svg').exists()).toBe(true);
      expect(pin.attributes('title')).toBe(word);
      expect(alice!.find('[data-testid="pinned-marker"]').exists()).toBe(false);
      expect(bob!.find('[data-testid="pinned-marker"]').exists()).toBe(false);
      expect(bob!.find('[data-testid="muted-marker"]').exists()).toBe(true);
      wrapper.unmount();
    }
  });

  it('marks drafts in Chinese too', async () => {
    const { wrapper } = await mountList('zh-CN');
    expect(wrapper.get('[data-testid="draft-marker"]').text()).toBe('[草稿]');
    wrapper.unmount();
  });

  it('filters as you type and opens a conversation on click', async () => {
    const { wrapper, pinia, api } = await mountList('en');
    await wrapper.get('[data-testid="conversation-filter"]').setValue('ali');
    const items = wrapper.findAll('[data-testid="conversation-item"]');
    expect(items.map((i) => i.attributes('data-conversation'))).toEqual(['alice']);
    // the chat pane beside the list shows what is opened
    useConversations(pinia).paneShowing = true;
    await items[0]!.trigger('click');
    await flushPromises();
    expect(useConversations(pinia).activeId).toBe('alice');
    expect(api.callsOf('conversation.markRead')).toEqual([{ conversation: 'alice' }]);
    wrapper.unmount();
  });

  it('says when the filter matches nothing, and how to start when there is nothing at all', async () => {
    const { wrapper, pinia } = await mountList('en');
    await wrapper.get('[data-testid="conversation-filter"]').setValue('zzz');
    expect(wrapper.findAll('[data-testid="conversation-item"]')).toHaveLength(0);
    expect(wrapper.get('[data-testid="conversation-empty"]').text()).toBe('No chat matches "zzz"');
    await wrapper.get('[data-testid="conversation-filter"]').setValue('');
    useConversations(pinia).reset();
    await flushPromises();
    expect(wrapper.get('[data-testid="conversation-empty"]').text()).toContain('No chats yet');
    expect(wrapper.get('[data-testid="conversation-empty"]').text()).toContain('+');
    wrapper.unmount();
  });
});
