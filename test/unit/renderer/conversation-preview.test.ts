// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { previewOf } from '../../../main/store/message-record';
import { pb } from '../../../protocol';
import ConversationList from '../../../renderer/src/components/conversations/ConversationList.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { useSession } from '../../../renderer/src/stores/session';
import { conversation, createFakeApi } from './fake-api';

type Previewed = Parameters<typeof previewOf>[0];
const plain: Previewed = { type: pb.MessageType.TEXT, text: '', body: {}, revoked: false, burned: false, burnAfterReading: false };

/** Each chat's last message, as the core's store makes its preview. */
const lastMessages: Record<string, { message: Previewed; from: string }> = {
  image: { message: { ...plain, type: pb.MessageType.IMAGE }, from: 'bob' },
  voice: { message: { ...plain, type: pb.MessageType.VOICE }, from: 'bob' },
  burn: { message: { ...plain, text: 'secret', burnAfterReading: true }, from: 'bob' },
  burned: { message: { ...plain, burnAfterReading: true, burned: true }, from: 'bob' },
  mine: { message: { ...plain, revoked: true }, from: 'me' },
  peer: { message: { ...plain, revoked: true }, from: 'bob' },
  gteam: { message: { ...plain, revoked: true }, from: 'carol' },
  typed: { message: { ...plain, text: '[image]' }, from: 'bob' },
  gtalk: { message: { ...plain, text: 'lunch at noon' }, from: 'carol' },
  gphoto: { message: { ...plain, type: pb.MessageType.IMAGE }, from: 'carol' },
  gmine: { message: { ...plain, text: 'see you there' }, from: 'me' },
  beep: { message: { ...plain, text: 'beep\u0007 \u001b[1mbold\u0085' }, from: 'bob' },
  gbeep: { message: { ...plain, text: 'ding\u0007' }, from: 'carol' },
};

async function previews(locale: Locale): Promise<Record<string, string>> {
  const pinia = createPinia();
  const api = createFakeApi({
    'conversations.list': () =>
      Object.entries(lastMessages).map(([id, { message, from }], i) => conversation(id, { lastPreview: previewOf(message), lastFrom: from, lastTimeMs: 100 - i })),
    'profiles.get': () => [{ userId: 'carol', nickname: 'Carol', avatar: '' }],
  });
  useBackend(pinia).attach(api);
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
  await useConversations(pinia).load();
  const wrapper = mount(ConversationList, { global: { plugins: [pinia, createMagpieI18n(locale)] } });
  const out = Object.fromEntries(
    wrapper.findAll('[data-testid="conversation-item"]').map((item) => [item.attributes('data-conversation')!, item.get('.preview').text()]),
  );
  wrapper.unmount();
  return out;
}

describe('conversation list previews in the UI language', () => {
  it('in Chinese: media, burn after reading, who revoked, and a member\'s words after a full-width colon', async () => {
    expect(await previews('zh-CN')).toEqual({
      image: '[图片]',
      voice: '[语音]',
      burn: '[阅后即焚]',
      burned: '阅后即焚消息已被查看',
      mine: '你撤回了一条消息',
      peer: '对方撤回了一条消息',
      gteam: expect.stringMatching(/^"(carol|Carol)" 撤回了一条消息$/),
      typed: '\u200b[image]',
      gtalk: expect.stringMatching(/^(carol|Carol)：lunch at noon$/),
      gphoto: expect.stringMatching(/^(carol|Carol)：\[图片\]$/),
      gmine: 'see you there',
      beep: 'beep<BEL> <ESC>[1mbold<U+0085>',
      gbeep: expect.stringMatching(/^(carol|Carol)：ding<BEL>$/),
    });
  });

  it('in English', async () => {
    expect(await previews('en')).toMatchObject({
      image: '[Image]',
      burn: '[Burn after reading]',
      mine: 'You revoked a message',
      peer: 'The other person revoked a message',
      typed: '\u200b[image]',
      gtalk: expect.stringMatching(/^(carol|Carol): lunch at noon$/),
      gphoto: expect.stringMatching(/^(carol|Carol): \[Image\]$/),
      gmine: 'see you there',
      beep: 'beep<BEL> <ESC>[1mbold<U+0085>',
    });
  });
});
