// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api';
import MessageBody from '../../../renderer/src/components/chat/MessageBody.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';

const placeholder: MessageView = {
  key: '1',
  msgId: 7,
  conversation: 'bob',
  conversationKind: 'user',
  from: 'bob',
  to: 'alice',
  outgoing: false,
  kind: 'unavailable',
  text: '',
  mentions: [],
  mentionAll: false,
  timeMs: 0,
  state: 'received',
  revoked: false,
  burnAfterReading: false,
  burned: false,
};

describe('a message that could not be shown', () => {
  for (const [locale, words] of [
    ['en', 'This message could not be shown'],
    ['zh-CN', '此消息无法显示'],
  ] as [Locale, string][]) {
    it(`shows a placeholder line (${locale})`, () => {
      const wrapper = mount(MessageBody, { props: { message: placeholder }, global: { plugins: [createPinia(), createMagpieI18n(locale)] } });
      expect(wrapper.get('[data-testid="unavailable"]').text()).toBe(words);
      wrapper.unmount();
    });
  }
});
