// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import MessageBody from '../../../renderer/src/components/chat/MessageBody.vue';
import { textLang, textPieces } from '../../../renderer/src/components/chat/message-text';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { showControlCharacters } from '../../../preload/api';
import { message } from './fake-api';

describe('a message text as the bubble shows it', () => {
  it('makes http and https addresses links, leaving the sentence around them as text', () => {
    expect(textPieces('see https://example.com/a?b=1. then 看 http://例子.cn/路径，好吗')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: '. then 看 ' },
      { text: 'http://例子.cn/路径', href: 'http://xn--fsqu00a.cn/%E8%B7%AF%E5%BE%84' },
      { text: '，好吗' },
    ]);
  });

  it('keeps a bracket the address opened, drops one the sentence opened', () => {
    expect(textPieces('(https://en.wikipedia.org/wiki/Magpie_(bird))')[1]).toEqual({
      text: 'https://en.wikipedia.org/wiki/Magpie_(bird)',
      href: 'https://en.wikipedia.org/wiki/Magpie_(bird)',
    });
  });

  it('links nothing else: other schemes, no host, plain text', () => {
    for (const text of ['javascript:alert(1)', 'file:///etc/passwd', 'http://', 'no links here', '']) expect(textPieces(text)).toEqual([{ text }]);
  });

  it('names control characters (C0 and DEL by abbreviation, C1 by code point), keeping tabs and line breaks', () => {
    expect(showControlCharacters('\u001b[31mred\u001b[0m \u0007 \u0000 \u007f \u0085 \u009b')).toBe('<ESC>[31mred<ESC>[0m <BEL> <NUL> <DEL> <U+0085> <U+009B>');
    expect(showControlCharacters('a\tb\nc\r\nd\re')).toBe('a\tb\nc\nd<CR>e');
    expect(showControlCharacters('plain 中文 \u200f')).toBe('plain 中文 \u200f');
  });

  it('ends a web address at a control character, which is a piece of its own', () => {
    expect(textPieces('see https://example.com/x\u001b[0m now\u0007')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/x', href: 'https://example.com/x' },
      { text: 'ESC', control: 'U+001B' },
      { text: '[0m now' },
      { text: 'BEL', control: 'U+0007' },
    ]);
    expect(textPieces('one\r\ntwo')).toEqual([{ text: 'one\ntwo' }]);
  });

  it('marks Chinese text as Chinese, Japanese and Korean as theirs, the rest as the page', () => {
    expect(textLang('你好 alice')).toBe('zh-CN');
    expect(textLang('こんにちは 日本')).toBe('ja');
    expect(textLang('안녕하세요')).toBe('ko');
    expect(textLang('hello')).toBeUndefined();
  });
});

describe('a text bubble', () => {
  it('shows the text exactly as written, its web address a link to a new tab, never HTML, marked Chinese when it is', () => {
    const text = '<b>看</b> https://example.com/x?<img src=x onerror=alert(1)>\nline two';
    const wrapper = mount(MessageBody, { props: { message: message('1', 1, { text }) }, global: { plugins: [createPinia(), createMagpieI18n('en')] } });
    const body = wrapper.get('[data-testid="message-text"]');
    expect(body.element.textContent).toBe(text);
    expect(body.attributes('lang')).toBe('zh-CN');
    expect(body.findAll('b, img')).toHaveLength(0);
    const links = body.findAll('a');
    expect(links.map((a) => [a.text(), a.attributes('href'), a.attributes('target'), a.attributes('rel')])).toEqual([
      ['https://example.com/x', 'https://example.com/x', '_blank', 'noopener noreferrer'],
    ]);
    wrapper.unmount();
  });

  it('shows an escape, a bell and other control characters by name, set apart from the words, as text', () => {
    const text = 'alert\u0007 \u001b[2J<i>x</i>\u0085\ttab\nnext';
    const wrapper = mount(MessageBody, { props: { message: message('1', 1, { text }) }, global: { plugins: [createPinia(), createMagpieI18n('en')] } });
    const body = wrapper.get('[data-testid="message-text"]');
    expect(body.element.textContent).toBe('alertBEL ESC[2J<i>x</i>U+0085\ttab\nnext');
    expect(body.findAll('[data-testid="message-control"]').map((c) => [c.text(), c.attributes('title')])).toEqual([
      ['BEL', 'U+0007'], ['ESC', 'U+001B'], ['U+0085', 'U+0085'],
    ]);
    expect(body.findAll('i')).toHaveLength(0);
    wrapper.unmount();
  });
});
