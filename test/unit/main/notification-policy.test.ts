import { describe, expect, it } from 'vitest';
import { notificationFor, type IncomingForNotice } from '../../../main/notifications/notification-policy';

const message: IncomingForNotice = {
  outgoing: false,
  conversation: 'gTeam',
  senderName: 'Alice',
  conversationTitle: 'Team',
  isGroup: true,
  preview: 'lunch at noon?',
  mentionsMe: false,
};
const settings = { notifications: true, preview: 'full' as const };
const away = { focused: false };

describe('notification policy', () => {
  it('notifies a message for a window not focused, with sender and text', () => {
    expect(notificationFor(message, { settings, muted: false, attention: away, language: 'en' })).toEqual({
      title: 'Team',
      body: 'Alice: lunch at noon?',
      conversation: 'gTeam',
    });
  });

  it('puts a full-width colon after the sender in Chinese, ": " in English', () => {
    expect(notificationFor({ ...message, preview: '开会了' }, { settings, muted: false, attention: away, language: 'zh-CN' })?.body).toBe('Alice：开会了');
    expect(notificationFor({ ...message, preview: '开会了' }, { settings, muted: false, attention: away, language: 'en' })?.body).toBe('Alice: 开会了');
    // a one-to-one message names nobody before its words
    expect(notificationFor({ ...message, isGroup: false }, { settings, muted: false, attention: away, language: 'zh-CN' })?.body).toBe('lunch at noon?');
  });

  it('names control characters in the text, as the chat list does, instead of passing them to the OS raw', () => {
    const request = notificationFor({ ...message, preview: 'ring\u0007 now\u001b[2J' }, { settings, muted: false, attention: away, language: 'en' });
    expect(request?.body).toBe('Alice: ring<BEL> now<ESC>[2J');
  });

  it('names a direction override or isolate in the text, the sender and the title, so none reorders the line the OS draws', () => {
    const request = notificationFor(
      { ...message, preview: 'see invoice\u202efdp.exe \u2067x', senderName: 'ev\u202eil', conversationTitle: 'T\u202deam' },
      { settings, muted: false, attention: away, language: 'en' },
    );
    expect(request).toMatchObject({ title: 'T<LRO>eam', body: 'ev<RLO>il: see invoice<RLO>fdp.exe <RLI>x' });
    // right-to-left words and their marks are words, shown as they are
    expect(notificationFor({ ...message, preview: 'مرحبا\u200f' }, { settings, muted: false, attention: away, language: 'en' })?.body).toBe('Alice: مرحبا\u200f');
  });

  it('stays quiet for a focused window, my own message, muted chats and notifications off', () => {
    expect(notificationFor(message, { settings, muted: false, attention: { focused: true }, language: 'en' })).toBeUndefined();
    expect(notificationFor({ ...message, outgoing: true }, { settings, muted: false, attention: away, language: 'en' })).toBeUndefined();
    expect(notificationFor(message, { settings, muted: true, attention: away, language: 'en' })).toBeUndefined();
    expect(
      notificationFor(message, { settings: { ...settings, notifications: false }, muted: false, attention: away, language: 'en' }),
    ).toBeUndefined();
  });

  it('lets a mention through a muted chat', () => {
    const note = notificationFor({ ...message, mentionsMe: true }, { settings, muted: true, attention: away, language: 'zh-CN' });
    expect(note?.body).toBe('[有人@我] Alice：lunch at noon?');
  });

  it('shows as much as the preview setting allows', () => {
    const sender = notificationFor(message, { settings: { ...settings, preview: 'sender' }, muted: false, attention: away, language: 'en' });
    expect(sender).toEqual({ title: 'Team', body: 'New message', conversation: 'gTeam' });
    const none = notificationFor(message, { settings: { ...settings, preview: 'none' }, muted: false, attention: away, language: 'zh-CN' });
    expect(none).toEqual({ title: 'Magpie', body: '新消息', conversation: 'gTeam' });
  });
});
