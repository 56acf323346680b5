import { describe, expect, it } from 'vitest';
import type { MemberView } from '../../../preload/api';
import { composerKeyAction, type ComposerKey } from '../../../renderer/src/components/chat/composer-keys';
import { collectMentions, filterMentionMembers, insertMention, mentionQueryAt } from '../../../renderer/src/components/chat/mention-filter';

function member(userId: string, nickname = '', card = ''): MemberView {
  return { userId, nickname, card, role: 'member', muteUntilMs: 0 };
}

const key = (change: Partial<ComposerKey>): ComposerKey => ({
  key: 'Enter', shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, isComposing: false, ...change,
});

describe('composer keys', () => {
  it('sends on Enter and breaks the line on Shift+Enter', () => {
    expect(composerKeyAction(key({}))).toBe('send');
    expect(composerKeyAction(key({ shiftKey: true }))).toBe('newline');
    expect(composerKeyAction(key({ ctrlKey: true }))).toBe('newline');
    expect(composerKeyAction(key({ key: 'a' }))).toBe('none');
  });

  it('leaves Enter to the input method while it composes', () => {
    expect(composerKeyAction(key({ isComposing: true }))).toBe('none');
  });
});

describe('the mention picker', () => {
  const members = [member('alice01', 'Alice'), member('bob02', 'Bob', '产品-小王'), member('me'), member('albert', 'Bert')];

  it('opens on an @ at the start or after a space, not inside an e-mail address', () => {
    expect(mentionQueryAt('@al', 3)).toEqual({ start: 0, query: 'al' });
    expect(mentionQueryAt('hi @', 4)).toEqual({ start: 3, query: '' });
    expect(mentionQueryAt('mail a@b', 8)).toBeNull();
    expect(mentionQueryAt('@al and more', 12)).toBeNull();
  });

  it('offers members matching id, nickname or card, best matches first, never me', () => {
    expect(filterMentionMembers(members, 'al', 'me').map((m) => m.userId)).toEqual(['alice01', 'albert']);
    expect(filterMentionMembers(members, 'BERT', 'me').map((m) => m.userId)).toEqual(['albert']);
    expect(filterMentionMembers(members, '小王', 'me').map((m) => m.userId)).toEqual(['bob02']);
    expect(filterMentionMembers(members, '', 'me').map((m) => m.userId)).toEqual(['alice01', 'bob02', 'albert']);
    expect(filterMentionMembers(members, 'zzz', 'me')).toEqual([]);
  });

  it('replaces the typed query with the picked name', () => {
    expect(insertMention('hi @al!', { start: 3, query: 'al' }, 'Alice')).toEqual({ text: 'hi @Alice !', caret: 10 });
  });

  it('sends the users whose names are still in the text', () => {
    const picked = new Map([['Alice', 'alice01'], ['Bob', 'bob02']]);
    expect(collectMentions('@Alice see this', picked, ['all', '所有人'])).toEqual({ mentions: ['alice01'], mentionAll: false });
    expect(collectMentions('@所有人 meeting', picked, ['all', '所有人'])).toEqual({ mentions: [], mentionAll: true });
  });
});
