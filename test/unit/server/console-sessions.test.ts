import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../protocol';
import { createConsoleSessions, fingerprint } from '../../../server/console/console-sessions';

const session = (accountSid: string) => ({ accountSid, tokenFingerprint: fingerprint(`token of ${accountSid}`) });

describe('console sessions', () => {
  it('find a session by its random id until it goes unused for the idle time', () => {
    const clock = new ManualClock(1_000);
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 10 });
    const id = sessions.open(session('A'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    clock.advance(59_000);
    expect(sessions.find(id)?.accountSid).toBe('A');
    // used just now: the idle time starts again
    clock.advance(59_000);
    expect(sessions.find(id)?.accountSid).toBe('A');
    clock.advance(60_000);
    expect(sessions.find(id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('sign out the least recently used past the cap, and on close', () => {
    const clock = new ManualClock();
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 2 });
    const first = sessions.open(session('A'));
    const second = sessions.open(session('B'));
    sessions.find(first);
    const third = sessions.open(session('C'));
    expect(sessions.find(second)).toBeUndefined();
    expect(sessions.find(first)?.accountSid).toBe('A');
    sessions.close(third);
    expect(sessions.find(third)).toBeUndefined();
    expect(sessions.find('not an id')).toBeUndefined();
  });
});
