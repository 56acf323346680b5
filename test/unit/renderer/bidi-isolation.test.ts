// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import MessageBody from '../../../renderer/src/components/chat/MessageBody.vue';
import ConversationList from '../../../renderer/src/components/conversations/ConversationList.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { useSession } from '../../../renderer/src/stores/session';
import { conversation, createFakeApi, message } from './fake-api';

const plugins = () => [createPinia(), createMagpieI18n('en')];

describe('people\'s words kept from reordering what is around them', () => {
  it('shows a file\'s direction override by name, so invoice<RLO>fdp.exe cannot pass for a PDF', () => {
    const m = message('1', 1, { kind: 'file', media: { fileId: 'f1', name: 'invoice\u202efdp.exe', size: 100, mime: 'application/octet-stream' } });
    const wrapper = mount(MessageBody, { props: { message: m }, global: { plugins: plugins() } });
    const name = wrapper.get('[data-testid="file-name"]');
    expect(name.element.textContent).toBe('invoice<RLO>fdp.exe');
    expect(name.attributes('title')).toBe('invoice<RLO>fdp.exe');
    expect(wrapper.get('[data-testid="media-card"]').attributes('data-kind')).toBe('other');
    wrapper.unmount();
  });

  it('gives a message text its own direction (dir=auto), its words kept as they came', () => {
    const text = 'مرحبا \u202eworld';
    const wrapper = mount(MessageBody, { props: { message: message('1', 1, { text }) }, global: { plugins: plugins() } });
    const body = wrapper.get('[data-testid="message-text"]');
    expect(body.attributes('dir')).toBe('auto');
    expect(body.element.textContent).toBe(text);
    wrapper.unmount();
  });

  it('sets a group member\'s name and words in the chat-list preview apart, each a <bdi>, the text unchanged', async () => {
    const pinia = createPinia();
    const api = createFakeApi({
      'conversations.list': () => [conversation('gteam', { kind: 'group', lastPreview: 'hi \u202eyeh 12', lastFrom: 'eve', lastTimeMs: 1 })],
      'profiles.get': () => [{ userId: 'eve', nickname: 'سارة', avatar: '' }],
    });
    useBackend(pinia).attach(api);
    useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
    await useConversations(pinia).load();
    const wrapper = mount(ConversationList, { global: { plugins: [pinia, createMagpieI18n('en')] } });
    await expect.poll(() => wrapper.get('.preview').text()).toBe('سارة: hi \u202eyeh 12');
    expect(wrapper.get('.preview').findAll('bdi').map((b) => b.text())).toEqual(['سارة', 'hi \u202eyeh 12']);
    expect(wrapper.find('.title bdi').exists()).toBe(true);
    wrapper.unmount();
  });
});
