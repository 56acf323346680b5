// @vitest-environment happy-dom
import { mount, flushPromises } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { MemberView } from '../../../preload/api';
import ChatComposer from '../../../renderer/src/components/chat/ChatComposer.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { conversation, createFakeApi, message, type Handlers } from './fake-api';
import { MESSAGE_LIMITS } from '../../../preload/api';

/** The textarea's own fields; the root tsconfig that checks tests has no DOM types. */
interface TextBox {
  value: string;
  setSelectionRange(start: number, end: number): void;
}
const textBox = (element: unknown) => element as TextBox;

const members: MemberView[] = [
  { userId: 'alice01', nickname: 'Alice', role: 'owner', card: '', muteUntilMs: 0 },
  { userId: 'albert', nickname: 'Bert', role: 'member', card: '', muteUntilMs: 0 },
  { userId: 'carol', nickname: 'Carol', role: 'member', card: '', muteUntilMs: 0 },
];

async function mountComposer(isGroup = false, handlers: Handlers = {}) {
  const api = createFakeApi({
    'message.send': ({ conversation: c, content }) => message('c1', 1, { conversation: c, text: content.kind === 'text' ? content.text : '', outgoing: true, state: 'sending' }),
    ...handlers,
    'conversations.list': () => [conversation('g1'), conversation('alice01')],
  });
  const pinia = createPinia();
  const i18n = createMagpieI18n('en');
  const wrapper = mount(ChatComposer, {
    props: { conversation: isGroup ? 'g1' : 'alice01', isGroup, members, myId: 'me' },
    global: { plugins: [pinia, i18n] },
  });
  useBackend(pinia).attach(api);
  await useConversations(pinia).load();
  return { api, wrapper };
}

describe('the composer', () => {
  it('sends the text on Enter and clears the box', async () => {
    const { api, wrapper } = await mountComposer();
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('hello there');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.callsOf('message.send')).toEqual([
      { conversation: 'alice01', content: { kind: 'text', text: 'hello there', mentions: [], mentionAll: false, burnAfterReading: undefined } },
    ]);
    expect(textBox(box.element).value).toBe('');
    wrapper.unmount();
  });

  it('keeps typing on Shift+Enter instead of sending', async () => {
    const { api, wrapper } = await mountComposer();
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('line one');
    await box.trigger('keydown', { key: 'Enter', shiftKey: true });
    await flushPromises();
    expect(api.callsOf('message.send')).toEqual([]);
    expect(textBox(box.element).value).toBe('line one');
    wrapper.unmount();
  });

  it('does not send an empty message', async () => {
    const { api, wrapper } = await mountComposer();
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('   ');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.callsOf('message.send')).toEqual([]);
    expect(wrapper.get('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });

  it('in a group, shows the members matching what follows @ and mentions the one picked', async () => {
    const { api, wrapper } = await mountComposer(true);
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('hi @al');
    textBox(box.element).setSelectionRange(6, 6);
    await box.trigger('input');
    const options = wrapper.findAll('[data-testid="mention-option"]').map((o) => o.attributes('data-user'));
    expect(options).toEqual(['@all', 'alice01', 'albert']);

    await box.trigger('keydown', { key: 'ArrowDown' });
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(textBox(box.element).value).toBe('hi @Alice ');
    expect(wrapper.find('[data-testid="mention-picker"]').exists()).toBe(false);

    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.callsOf('message.send')[0]?.content).toMatchObject({ kind: 'text', text: 'hi @Alice', mentions: ['alice01'], mentionAll: false });
    wrapper.unmount();
  });

  it('does not open the mention picker in a one-to-one chat', async () => {
    const { wrapper } = await mountComposer(false);
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('@al');
    await box.trigger('input');
    expect(wrapper.find('[data-testid="mention-picker"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('keeps the typed text when the send is refused, and says why at the composer', async () => {
    const { wrapper } = await mountComposer(false, {
      'message.send': () => ({ ok: false, error: { code: 171003, message: 'the connection to the app closed' } }),
    });
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('please do not lose me');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(textBox(box.element).value).toBe('please do not lose me');
    expect(wrapper.get('[data-testid="composer-refusal"]').text()).toBe('The connection was closed (code 171003)');
    await box.setValue('please do not lose me!');
    await box.trigger('input');
    expect(wrapper.find('[data-testid="composer-refusal"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('counts an emoji as one character, as the server does', async () => {
    const { wrapper } = await mountComposer();
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('🐦'.repeat(MESSAGE_LIMITS.maxTextChars));
    expect(wrapper.get('[data-testid="composer-counter"]').text()).toBe(`${MESSAGE_LIMITS.maxTextChars} / ${MESSAGE_LIMITS.maxTextChars}`);
    expect(wrapper.get('[data-testid="composer-send"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('counts near the server\'s limit and will not send past it, saying why', async () => {
    const { api, wrapper } = await mountComposer();
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('x'.repeat(100));
    expect(wrapper.find('[data-testid="composer-counter"]').exists()).toBe(false);
    await box.setValue('x'.repeat(MESSAGE_LIMITS.maxTextChars - 5));
    expect(wrapper.get('[data-testid="composer-counter"]').text()).toBe(`${MESSAGE_LIMITS.maxTextChars - 5} / ${MESSAGE_LIMITS.maxTextChars}`);
    await box.setValue('x'.repeat(MESSAGE_LIMITS.maxTextChars + 3));
    expect(wrapper.get('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.callsOf('message.send')).toEqual([]);
    expect(wrapper.get('[data-testid="composer-refusal"]').text()).toContain('3 characters over the limit of 5000');
    expect(textBox(box.element).value).toHaveLength(MESSAGE_LIMITS.maxTextChars + 3);
    // one over, the likeliest: "1 character", not "1 characters"
    await box.setValue('x'.repeat(MESSAGE_LIMITS.maxTextChars + 1));
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(wrapper.get('[data-testid="composer-refusal"]').text()).toBe('The message is 1 character over the limit of 5000: shorten it to send');
    expect(wrapper.get('[data-testid="composer-send"]').attributes('title')).toBe('The message is 1 character over the limit of 5000: shorten it to send');
    wrapper.unmount();
  });

  it('offers burn after reading in a one-to-one chat only, and never sends it to a group', async () => {
    const group = await mountComposer(true);
    expect(group.wrapper.find('[data-testid="burn-toggle"]').exists()).toBe(false);
    const box = group.wrapper.get('[data-testid="composer-input"]');
    await box.setValue('to the team');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(group.api.callsOf('message.send')[0]?.content).toMatchObject({ kind: 'text', text: 'to the team', burnAfterReading: undefined });
    group.wrapper.unmount();
    const single = await mountComposer(false);
    expect(single.wrapper.find('[data-testid="burn-toggle"]').exists()).toBe(true);
    single.wrapper.unmount();
  });

  it('keeps burn after reading to the chat it was turned on in: off again in the next chat', async () => {
    const { api, wrapper } = await mountComposer(false);
    await wrapper.get('[data-testid="burn-toggle"]').trigger('click');
    expect(wrapper.get('[data-testid="burn-toggle"]').attributes('aria-pressed')).toBe('true');
    await wrapper.setProps({ conversation: 'bob01' } as never);
    expect(wrapper.get('[data-testid="burn-toggle"]').attributes('aria-pressed')).toBe('false');
    // a group between two one-to-one chats leaves it off too
    await wrapper.setProps({ conversation: 'alice01' } as never);
    await wrapper.get('[data-testid="burn-toggle"]').trigger('click');
    await wrapper.setProps({ conversation: 'g1', isGroup: true } as never);
    expect(wrapper.find('[data-testid="burn-toggle"]').exists()).toBe(false);
    await wrapper.setProps({ conversation: 'alice01', isGroup: false } as never);
    expect(wrapper.get('[data-testid="burn-toggle"]').attributes('aria-pressed')).toBe('false');
    const box = wrapper.get('[data-testid="composer-input"]');
    await box.setValue('plain');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.callsOf('message.send').at(-1)?.content).toMatchObject({ burnAfterReading: undefined });
    wrapper.unmount();
  });
});
