// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api';
import MessageBubble from '../../../renderer/src/components/chat/MessageBubble.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';

const refused: MessageView = {
  key: '1',
  msgId: undefined,
  conversation: 'g42',
  conversationKind: 'group',
  from: 'alice',
  to: 'g42',
  outgoing: true,
  kind: 'text',
  text: 'is anyone here?',
  mentions: [],
  mentionAll: false,
  timeMs: 0,
  state: 'failed',
  errorCode: 560001,
  errorMessage: 'no group g42',
  revoked: false,
  burnAfterReading: false,
  burned: false,
};

describe('a message the server refused', () => {
  for (const [locale, words, retry] of [
    ['en', 'Group not found', 'Retry'],
    ['zh-CN', '群组不存在', '重试'],
  ] as [Locale, string, string][]) {
    it(`says why on its bubble, in the user's language (${locale})`, () => {
      const wrapper = mount(MessageBubble, {
        props: { message: refused, isGroup: true, highlighted: false },
        global: { plugins: [createPinia(), createMagpieI18n(locale)] },
      });
      expect(wrapper.get('[data-testid="failure-reason"]').text()).toContain(words);
      // the message stays, with a Retry on its own bubble
      const button = wrapper.get('[data-testid="failure"] button');
      expect(button.text()).toBe(retry);
      void button.trigger('click');
      expect(wrapper.emitted('retry')).toHaveLength(1);
      wrapper.unmount();
    });
  }
});

describe('a file the file service refused for its size', () => {
  // the words say other figures: the bubble takes the figures given as data, never the words
  const tooLarge: MessageView = {
    ...refused,
    conversation: 'bob',
    conversationKind: 'user',
    to: 'bob',
    kind: 'file',
    text: '',
    media: { fileId: '', name: 'movie.mp4', size: 3 * 1024 * 1024, mime: '' },
    errorCode: 581004,
    errorMessage: 'this kind of upload is at most 7 bytes on this server now; this one has 9',
    errorTooLarge: { sizeBytes: 3 * 1024 * 1024, limitBytes: 1024 * 1024 },
  };
  for (const [locale, words] of [
    ['en', 'Not sent: it is 3.0 MB, and the server takes up to 1.0 MB for this kind of file (code 581004)'],
    ['zh-CN', '未发送：此文件为 3.0 MB，服务器对此类文件最多接收 1.0 MB（错误码 581004）'],
  ] as [Locale, string][]) {
    it(`says the file's size and the limit from the figures it was given (${locale})`, () => {
      const wrapper = mount(MessageBubble, {
        props: { message: tooLarge, isGroup: false, highlighted: false },
        global: { plugins: [createPinia(), createMagpieI18n(locale)] },
      });
      expect(wrapper.get('[data-testid="failure-reason"]').text()).toBe(words);
      wrapper.unmount();
    });
  }
});

describe("a message its sender revoked", () => {
  for (const [locale, words] of [
    ['en', 'alice revoked a message'],
    ['zh-CN', '"alice" 撤回了一条消息'],
  ] as [Locale, string][]) {
    it(`says who revoked it, in the words the chat list uses (${locale})`, () => {
      const wrapper = mount(MessageBubble, {
        props: { message: { ...refused, outgoing: false, state: 'received', revoked: true }, isGroup: true, highlighted: false },
        global: { plugins: [createPinia(), createMagpieI18n(locale)] },
      });
      expect(wrapper.get('[data-testid="message-revoked"]').text()).toBe(words);
      wrapper.unmount();
    });
  }
});

describe('a message the other person of a one-to-one chat revoked', () => {
  for (const [locale, words] of [
    ['en', 'The other person revoked a message'],
    ['zh-CN', '对方撤回了一条消息'],
  ] as [Locale, string][]) {
    it(`reads as the chat list's preview of it reads (${locale})`, () => {
      const wrapper = mount(MessageBubble, {
        props: {
          message: { ...refused, conversation: 'alice', conversationKind: 'user', to: 'bob', outgoing: false, state: 'received', revoked: true },
          isGroup: false,
          highlighted: false,
        },
        global: { plugins: [createPinia(), createMagpieI18n(locale)] },
      });
      expect(wrapper.get('[data-testid="message-revoked"]').text()).toBe(words);
      wrapper.unmount();
    });
  }
});

describe('a message refused by a mute', () => {
  const muted = (errorMessage: string, errorCode = 580007): MessageView => ({ ...refused, errorCode, errorMessage });
  const reason = (message: MessageView, locale: Locale) => {
    const wrapper = mount(MessageBubble, {
      props: { message, isGroup: true, highlighted: false },
      global: { plugins: [createPinia(), createMagpieI18n(locale)] },
    });
    const text = wrapper.get('[data-testid="failure-reason"]').text();
    expect(wrapper.find('[data-testid="retry-button"]').exists()).toBe(true);
    wrapper.unmount();
    return text;
  };

  it('says mute all closed the group, not that the sender was muted, for GROUP_MUTED_ALL (en, zh-CN)', () => {
    const byMuteAll = muted('all members of g42 are muted: only the owner and admins may send', 580012);
    expect(reason(byMuteAll, 'en')).toBe('Not sent: All members of this group are muted: only the owner and admins can send (code 580012)');
    expect(reason(byMuteAll, 'zh-CN')).toBe('未发送：本群已开启全员禁言：仅群主和管理员可发言（错误码 580012）');
  });

  it("says mute all for an older server's SELF_MUTED whose message is mute all's, with the code it sent", () => {
    const byMuteAll = muted('all members of g42 are muted: only the owner and admins may send');
    expect(reason(byMuteAll, 'en')).toBe('Not sent: All members of this group are muted: only the owner and admins can send (code 580007)');
  });

  it("keeps 'You are muted in this group' for the sender's own mute", () => {
    expect(reason(muted('you are muted in g42 until 2026-12-01T10:00:00.000Z'), 'en')).toContain('You are muted in this group (code 580007)');
  });
});

describe('a file refused for its sender’s upload limits (UPLOAD_QUOTA_EXCEEDED)', () => {
  const fitsMs = Date.UTC(2026, 10, 29, 7, 0, 0);
  const quota = (errorMessage: string): MessageView => ({
    ...refused,
    kind: 'file',
    text: '',
    media: { fileId: '', name: 'report.pdf', size: 1000, mime: '' },
    errorCode: 581008,
    errorMessage,
  });
  const reason = (message: MessageView, locale: Locale) => {
    const wrapper = mount(MessageBubble, {
      props: { message, isGroup: true, highlighted: false },
      global: { plugins: [createPinia(), createMagpieI18n(locale)] },
    });
    const text = wrapper.get('[data-testid="failure-reason"]').text();
    // a later Retry is the user's to choose: nothing retries it by itself
    expect(wrapper.find('[data-testid="retry-button"]').exists()).toBe(true);
    wrapper.unmount();
    return text;
  };
  const shown = (locale: Locale) => new Date(fitsMs).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const bytes = quota(
    'your uploads begun within the last 24 h come to 5368709000 bytes; this server takes at most 5368709120 bytes per user in that time: this one (1000 bytes) fits again at 2026-11-29T07:00:00Z',
  );
  const unfinished = quota('20 uploads of yours are unfinished, the most at once on this server (20): finish or cancel one; else the oldest expires and a new upload fits again at 2026-11-29T07:00:00Z');

  it('says the sender uploaded a lot lately and when the file fits again, in local time (en, zh-CN)', () => {
    expect(reason(bytes, 'en')).toBe(`Not sent: You have uploaded a lot lately: this file fits within your upload limit again at ${shown('en')} (code 581008)`);
    expect(reason(bytes, 'zh-CN')).toBe(`未发送：您近期上传的内容较多：此文件可在 ${shown('zh-CN')} 后再次上传（错误码 581008）`);
  });

  it('says to finish or cancel an upload when too many are unfinished (en, zh-CN)', () => {
    expect(reason(unfinished, 'en')).toBe(`Not sent: Too many of your uploads are unfinished: finish or cancel one, or try again at ${shown('en')} (code 581008)`);
    expect(reason(unfinished, 'zh-CN')).toBe(`未发送：您未完成的上传过多：请完成或取消其中一个，或在 ${shown('zh-CN')} 后再试（错误码 581008）`);
  });

  it('still says what limit it is when the message names no time', () => {
    expect(reason(quota('over the limit'), 'en')).toBe('Not sent: You have reached your upload limit on this server for now; try again later (code 581008)');
  });
});
