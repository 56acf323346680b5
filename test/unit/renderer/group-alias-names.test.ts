// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, type Pinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { NoticeView } from '../../../preload/api';
import ReadersDialog from '../../../renderer/src/components/chat/ReadersDialog.vue';
import TypingIndicator from '../../../renderer/src/components/chat/TypingIndicator.vue';
import SearchDialog from '../../../renderer/src/components/common/SearchDialog.vue';
import ConversationList from '../../../renderer/src/components/conversations/ConversationList.vue';
import { useNoticeText } from '../../../renderer/src/composables/notice-text';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { useGroups } from '../../../renderer/src/stores/groups';
import { useProfiles } from '../../../renderer/src/stores/profiles';
import { useSearch } from '../../../renderer/src/stores/search';
import { useSession } from '../../../renderer/src/stores/session';
import { useTyping } from '../../../renderer/src/stores/typing';
import { conversation, createFakeApi, message, type Handlers } from './fake-api';

/**
 * Bob is "Bob" to everyone and "Coach" in gteam, carol has no alias: wherever a group speaks of a
 * member (its notices, its chat-list preview, who is typing, who read a message, a search hit's
 * sender) it names them as
 * its bubbles and member list do; a one-to-one chat and another group use the nickname.
 */
function world(handlers: Handlers = {}): Pinia {
  const pinia = createPinia();
  useBackend(pinia).attach(createFakeApi({ 'profiles.get': () => [], ...handlers }));
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
  useProfiles(pinia).remember([
    { userId: 'bob', nickname: 'Bob', avatar: '' },
    { userId: 'carol', nickname: 'Carol', avatar: '' },
  ]);
  useGroups(pinia).members = {
    gteam: [
      { userId: 'bob', nickname: 'Bob', role: 'owner', card: 'Coach', muteUntilMs: 0 },
      { userId: 'carol', nickname: 'Carol', role: 'member', card: '', muteUntilMs: 0 },
      { userId: 'me', nickname: 'Me', role: 'member', card: 'Me here', muteUntilMs: 0 },
    ],
    gother: [{ userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 }],
  };
  return pinia;
}

const words = (text: string) => text.replace(/[\u2066-\u2069]/gu, '');

afterEach(() => {
  document.body.innerHTML = '';
});

describe("a group's notice lines", () => {
  function lines(locale: Locale, notices: NoticeView[]): string[] {
    const pinia = world();
    let out: string[] = [];
    const Probe = defineComponent({
      setup() {
        const text = useNoticeText();
        out = notices.map(text).map(words);
        return () => h('div');
      },
    });
    mount(Probe, { global: { plugins: [pinia, createMagpieI18n(locale)] } }).unmount();
    return out;
  }
  const notices: NoticeView[] = [
    { kind: 'mute', groupId: 'gteam', actor: 'bob', targets: ['carol'], text: '', muteUntilMs: 1 },
    { kind: 'kick', groupId: 'gteam', actor: 'carol', targets: ['bob'], text: '' },
    { kind: 'mute', groupId: 'gother', actor: 'bob', targets: ['carol'], text: '', muteUntilMs: 1 },
    { kind: 'role', groupId: 'gteam', actor: 'bob', targets: ['me'], text: '', role: 'admin' },
  ];

  it('name a member by their alias in that group (en)', () => {
    expect(lines('en', notices)).toEqual(['Coach muted Carol', 'Carol removed Coach', 'Bob muted Carol', 'Coach made you an admin']);
  });

  it('name a member by their alias in that group (zh-CN)', () => {
    const zh = lines('zh-CN', notices);
    expect(zh[0]).toContain('Coach');
    expect(zh[0]).not.toContain('Bob');
    expect(zh[2]).toContain('Bob');
  });
});

describe("a group's chat-list preview", () => {
  it("puts the member's alias before their words, and names an admin's revoke by aliases", async () => {
    const pinia = world({
      'conversations.list': () => [
        conversation('gteam', { lastPreview: 'lunch at noon', lastFrom: 'bob', lastTimeMs: 3 }),
        conversation('gother', { lastPreview: 'hello', lastFrom: 'bob', lastTimeMs: 2 }),
        conversation('gteam2', { lastPreview: '[revoked]', lastFrom: 'carol', lastRevokedBy: 'bob', lastTimeMs: 1 }),
        conversation('bob', { lastPreview: 'hi', lastFrom: 'bob', lastTimeMs: 0 }),
      ],
    });
    useGroups(pinia).members = { ...useGroups(pinia).members, gteam2: [{ userId: 'bob', nickname: 'Bob', role: 'owner', card: 'Boss', muteUntilMs: 0 }] };
    await useConversations(pinia).load();
    const wrapper = mount(ConversationList, { global: { plugins: [pinia, createMagpieI18n('en')] } });
    const previews = Object.fromEntries(
      wrapper.findAll('[data-testid="conversation-item"]').map((item) => [item.attributes('data-conversation')!, words(item.get('.preview').text())]),
    );
    expect(previews).toEqual({ gteam: 'Coach: lunch at noon', gother: 'Bob: hello', gteam2: 'Boss revoked a message from Carol', bob: 'hi' });
    wrapper.unmount();
  });
});

describe('who is typing in a group', () => {
  it('is named by their alias there, and by their nickname in a one-to-one chat', () => {
    const pinia = world();
    const typing = useTyping(pinia);
    typing.onTyping({ conversation: 'gteam', from: 'bob', stopped: false });
    typing.onTyping({ conversation: 'bob', from: 'bob', stopped: false });
    const shown = (id: string) => {
      const wrapper = mount(TypingIndicator, { props: { conversation: id }, global: { plugins: [pinia, createMagpieI18n('en')] } });
      const text = words(wrapper.text());
      wrapper.unmount();
      return text;
    };
    expect(shown('gteam')).toContain('Coach');
    expect(shown('gteam')).not.toContain('Bob');
    expect(shown('bob')).toContain('Bob');
  });
});

describe("a group message's readers", () => {
  it('are named by their alias in the group', async () => {
    const pinia = world({ 'message.readers': () => ({ read: ['bob'], unread: ['carol'] }) });
    const wrapper = mount(ReadersDialog, {
      props: { message: message('m1', 1, { conversation: 'gteam', conversationKind: 'group', from: 'me', outgoing: true }) },
      global: { plugins: [pinia, createMagpieI18n('en')] },
      attachTo: document.body,
    });
    await flushPromises();
    const names = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"] li`)].map((li) => li.textContent!.trim());
    expect(names('readers-read')).toEqual(['Coach']);
    expect(names('readers-unread')).toEqual(['Carol']);
    wrapper.unmount();
  });
});

describe('a search hit in a group', () => {
  it("names its sender by their alias in that group, and by their nickname elsewhere", () => {
    const pinia = world();
    useSearch(pinia).hits = [
      { conversation: 'gteam', key: 'k1', from: 'bob', timeMs: 3, snippet: 'lunch at noon', highlights: [] },
      { conversation: 'gother', key: 'k2', from: 'bob', timeMs: 2, snippet: 'lunch?', highlights: [] },
      { conversation: 'bob', key: 'k3', from: 'bob', timeMs: 1, snippet: 'lunch!', highlights: [] },
    ];
    const wrapper = mount(SearchDialog, { global: { plugins: [pinia, createMagpieI18n('en')] }, attachTo: document.body });
    const senders = Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('[data-testid="search-hit"]')].map((hit) => [hit.dataset.conversation!, words(hit.querySelector('.hit-body bdi')!.textContent!)]),
    );
    expect(senders).toEqual({ gteam: 'Coach', gother: 'Bob', bob: 'Bob' });
    wrapper.unmount();
  });
});
