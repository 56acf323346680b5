import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../../preload/api';
import { UnreadBadge } from '../../../main/shell/unread-badge';

const conversation = (id: string, unread: number, muted = false): ConversationView => ({
  id,
  kind: 'user',
  title: id,
  unread,
  mentioned: false,
  lastPreview: '',
  lastTimeMs: 0,
  draft: '',
  pinned: false,
  muted,
});

describe('the tray and dock unread badge', () => {
  it('adds up unread conversations, follows their changes, and leaves muted ones out', () => {
    const badge = new UnreadBadge();
    expect(badge.update(conversation('alice', 2))).toBe(2);
    expect(badge.update(conversation('bob', 3))).toBe(5);
    expect(badge.update(conversation('alice', 0))).toBe(3);
    expect(badge.update(conversation('bob', 3, true))).toBe(0);
    expect(badge.label('en')).toBe('Magpie');
    expect(badge.update(conversation('carol', 4))).toBe(4);
    expect(badge.label('en')).toBe('Magpie — 4 unread');
    expect(badge.label('zh-CN')).toBe('鹊 Magpie — 4 条未读');
    expect(badge.remove('carol')).toBe(0);
  });
});
