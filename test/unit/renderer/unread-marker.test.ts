import { describe, expect, it } from 'vitest';
import { historyRows } from '../../../renderer/src/stores/message-list';
import { firstUnread } from '../../../renderer/src/stores/unread-marker';
import { message } from './fake-api';

const t0 = 1_700_000_000_000;

describe('where the unread line goes', () => {
  const items = [
    message('1', t0),
    message('2', t0 + 1),
    message('mine', t0 + 2, { outgoing: true }),
    message('3', t0 + 3),
    message('gone', t0 + 4, { revoked: true }),
    message('4', t0 + 5),
    message('later', t0 + 6),
  ];

  it('counts back the unread from the newest held when the chat came into sight, skipping my own and the revoked', () => {
    expect(firstUnread(items, '4', 2, false)).toEqual({ found: true, key: '3' });
    expect(firstUnread(items, '4', 3, false)).toEqual({ found: true, key: '2' });
    // more unread than held: older pages first, or the oldest when there are none
    expect(firstUnread(items, '4', 9, false)).toEqual({ found: false });
    expect(firstUnread(items, '4', 9, true)).toEqual({ found: true, key: '1' });
    expect(firstUnread(items, '4', 0, true)).toBeNull();
  });

  it('is a row right above that message', () => {
    const rows = historyRows(items, { key: '3', count: 2 });
    const at = rows.findIndex((r) => r.type === 'unread');
    expect(rows[at]).toMatchObject({ type: 'unread', count: 2 });
    expect(rows[at + 1]).toMatchObject({ type: 'message', key: '3' });
    expect(rows.filter((r) => r.type === 'unread')).toHaveLength(1);
  });
});
