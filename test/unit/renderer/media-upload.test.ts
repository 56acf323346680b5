// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { timeOfClientMsgId, type MessageView } from '../../../preload/api';
import ChatComposer from '../../../renderer/src/components/chat/ChatComposer.vue';
import MessageBubble from '../../../renderer/src/components/chat/MessageBubble.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { conversation, createFakeApi, message, type FakeApi, type Handlers } from './fake-api';

/** The sender's own media message, not uploaded yet. */
const own = (key: string, kind: 'file' | 'voice' | 'image'): MessageView =>
  message(key, 1, {
    conversation: 'bob',
    outgoing: true,
    kind,
    state: 'sending',
    media: { fileId: '', name: kind === 'voice' ? 'voice.webm' : 'notes.txt', size: 100, mime: '', ...(kind === 'voice' ? { durationMs: 3000 } : {}) },
  });

function setup(handlers: Handlers = {}): { api: FakeApi; pinia: Pinia; i18n: ReturnType<typeof createMagpieI18n> } {
  const api = createFakeApi({ 'conversations.list': () => [conversation('bob')], 'profiles.get': () => [], ...handlers });
  const pinia = createPinia();
  setActivePinia(pinia);
  useBackend(pinia).attach(api);
  wireEvents();
  return { api, pinia, i18n: createMagpieI18n('en') };
}

describe('an upload\'s progress', () => {
  it('shows on the message\'s bubble (by its key), true to the bytes sent, and the composer shows no percentage of its own', async () => {
    let answer: (value: MessageView) => void = () => {};
    const { api, pinia, i18n } = setup({ 'media.send': () => new Promise<MessageView>((resolve) => (answer = resolve)) });
    await useConversations(pinia).load();
    const composer = mount(ChatComposer, { props: { conversation: 'bob', isGroup: false, members: [], myId: 'me' }, global: { plugins: [pinia, i18n] } });
    const input = composer.get('[data-testid="attach-input"]');
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array(100)], 'notes.txt', { type: 'text/plain' })] });
    await input.trigger('change');
    // the browser reads the file's bytes on its own time (FileReader), then hands them over
    await vi.waitFor(() => expect(api.callsOf('media.send')).toHaveLength(1));
    // handing the bytes over: no "Sending… 0%" line
    expect(composer.find('[data-testid="composer-upload"]').exists()).toBe(false);
    expect(composer.text()).not.toContain('%');
    answer(own('7', 'file'));
    await flushPromises();
    expect(composer.find('[data-testid="composer-upload"]').exists()).toBe(false);

    const bubble = mount(MessageBubble, { props: { message: own('7', 'file'), isGroup: false, highlighted: false }, global: { plugins: [pinia, i18n] } });
    // the core's message goes on from the 0 % the page's bubble showed, until the upload says more
    expect((bubble.get('[data-testid="upload-progress"]').element as unknown as { value: number }).value).toBe(0);
    api.emit('media.progress', { ref: '7', loaded: 40, total: 100 });
    await flushPromises();
    const bar = bubble.get('[data-testid="upload-progress"]');
    expect((bar.element as unknown as { value: number }).value).toBe(0.4);
    expect(bar.attributes('aria-label')).toContain('40%');
    // the last byte in: no bar left behind, on this bubble or as a "download" once sent
    api.emit('media.progress', { ref: '7', loaded: 100, total: 100 });
    await flushPromises();
    expect(bubble.find('[data-testid="upload-progress"]').exists()).toBe(false);
    const sent = mount(MessageBubble, { props: { message: { ...own('7', 'file'), state: 'sent' }, isGroup: false, highlighted: false }, global: { plugins: [pinia, i18n] } });
    expect(sent.find('progress').exists()).toBe(false);
    composer.unmount();
    bubble.unmount();
    sent.unmount();
  });
});

describe('the sender\'s own media before its upload is done', () => {
  it('opens and saves a file, and plays a voice message, from the core\'s local copy instead of waiting', async () => {
    const { api, pinia, i18n } = setup({ 'media.fetch': () => ({ mime: 'audio/webm', size: 3, bytes: 'AAAA' }) });
    const file = mount(MessageBubble, { props: { message: own('8', 'file'), isGroup: false, highlighted: false }, global: { plugins: [pinia, i18n] } });
    expect(file.get('[data-testid="media-open"]').attributes('disabled')).toBeUndefined();
    expect(file.get('[data-testid="media-save"]').attributes('disabled')).toBeUndefined();
    // someone else's file without its id is not there yet
    const theirs = mount(MessageBubble, { props: { message: { ...own('8', 'file'), outgoing: false }, isGroup: false, highlighted: false }, global: { plugins: [pinia, i18n] } });
    expect(theirs.get('[data-testid="media-open"]').attributes('disabled')).toBeDefined();
    theirs.unmount();

    const voice = mount(MessageBubble, { props: { message: own('9', 'voice'), isGroup: false, highlighted: false }, global: { plugins: [pinia, i18n] } });
    await voice.get('[data-testid="media-voice"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('media.fetch')).toEqual([{ key: '9' }]);
    expect(voice.text()).not.toContain('could not be fetched');
    file.unmount();
    voice.unmount();
  });
});

describe("a file's bubble before the core has it", () => {
  it("stands at the server's time as the page reckons it, not the page's clock: a page 5 minutes fast puts it no later than the server's now", async () => {
    const { api, pinia, i18n } = setup({ 'media.send': () => new Promise<MessageView>(() => undefined) });
    await useConversations(pinia).load();
    // the core tells the server's time: 5 minutes behind this page's clock
    api.emit('connection.state', { state: 'online', serverTimeMs: Date.now() - 5 * 60_000 });
    const composer = mount(ChatComposer, { props: { conversation: 'bob', isGroup: false, members: [], myId: 'me' }, global: { plugins: [pinia, i18n] } });
    const input = composer.get('[data-testid="attach-input"]');
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array(100)], 'notes.txt', { type: 'text/plain' })] });
    await input.trigger('change');
    await vi.waitFor(() => expect(api.callsOf('media.send')).toHaveLength(1));
    const shownMs = timeOfClientMsgId(api.callsOf('media.send')[0]!.clientMsgId ?? '');
    expect(Math.abs(shownMs - (Date.now() - 5 * 60_000))).toBeLessThan(5_000);
    composer.unmount();
  });
});
