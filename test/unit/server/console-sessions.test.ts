import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../protocol';
import { createConsoleSessions, fingerprint } from '../../../server/console/console-sessions';

const session = (accountSid: string) => ({ accountSid, tokenFingerprint: fingerprint(`token of ${accountSid}`) });

describe('console sessions', () => {
  it('find a session by its random id until it goes unused for the idle time', () => {
    const clock = new ManualClock(1_000);
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 10, maxPerAccount: 5 });
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
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 2, maxPerAccount: 2 });
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

  it("hold each account to its own cap: one account signing in again and again signs out only its own oldest", () => {
    const clock = new ManualClock();
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 10, maxPerAccount: 3 });
    const others = [sessions.open(session('B')), sessions.open(session('C'))];
    const own = Array.from({ length: 3 }, () => sessions.open(session('A')));
    // A's first session is its least recently used once the second and third are used
    sessions.find(own[1]!);
    sessions.find(own[2]!);
    sessions.find(own[0]!);
    sessions.find(own[1]!);
    for (let i = 0; i < 20; i += 1) sessions.open(session('A'));
    expect(sessions.size).toBe(5);
    expect(others.map((id) => sessions.find(id)?.accountSid)).toEqual(['B', 'C']);
    expect(own.map((id) => sessions.find(id))).toEqual([undefined, undefined, undefined]);
  });

  it('keep the global cap as a last resort across many accounts', () => {
    const clock = new ManualClock();
    const sessions = createConsoleSessions({ clock, idleMs: 60_000, maxSessions: 3, maxPerAccount: 3 });
    const first = sessions.open(session('A'));
    for (const sid of ['B', 'C', 'D']) sessions.open(session(sid));
    expect(sessions.size).toBe(3);
    expect(sessions.find(first)).toBeUndefined();
  });
});
