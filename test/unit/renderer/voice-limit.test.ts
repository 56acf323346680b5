// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiErrorCode, DEFAULT_SERVER_LIMITS, type ServerLimits } from '../../../preload/api';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useMedia } from '../../../renderer/src/stores/media';
import { useMessages } from '../../../renderer/src/stores/messages';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi } from './fake-api';

const KiB = 1024;
/** A server that takes voice messages of at most 512 KiB (its login told it). */
const told: ServerLimits = { ...DEFAULT_SERVER_LIMITS, mediaBytes: { ...DEFAULT_SERVER_LIMITS.mediaBytes, voice: 512 * KiB } };

async function signedIn(limits: ServerLimits | undefined) {
  setActivePinia(createPinia());
  const me = { userId: 'u1', appId: 'app', nickname: 'Me', servers: ['127.0.0.1:8883'], ...(limits ? { limits } : {}) };
  useBackend().attach(
    createFakeApi({
      'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
      'session.restore': () => me,
      'conversations.list': () => [],
      'groups.mine': () => [],
      'group.requests': () => [],
      'session.connection': () => ({ state: 'online' }),
      'profile.me': () => ({ userId: 'u1', nickname: 'Me', avatar: '' }),
    }),
  );
  await useSession().start();
}

const recording = (bytes: number) => new Blob([new Uint8Array(bytes)], { type: 'audio/webm' });

describe("a voice recording over the server's limit", () => {
  it('is refused with FILE_TOO_LARGE before any bubble or hand-over', async () => {
    await signedIn(told);
    const prepared = useMedia().prepare('bob', recording(512 * KiB + 1), 'voice.webm', 'voice', 'u1', 3_000);
    expect(prepared).toMatchObject({ refused: { code: ApiErrorCode.FILE_TOO_LARGE } });
    expect(useMessages().histories['bob']?.items ?? []).toEqual([]);
    // a file of that size is no voice message: the server's file limit applies to it
    expect(useMedia().prepare('bob', recording(512 * KiB + 1), 'notes.bin', 'file', 'u1')).toHaveProperty('key');
  });

  it('one at the limit is shown and handed over; the limit comes again with each login', async () => {
    await signedIn(told);
    expect(useMedia().prepare('bob', recording(512 * KiB), 'voice.webm', 'voice', 'u1', 3_000)).toHaveProperty('key');
    useSession().onConnection({ state: 'online', limits: { ...told, mediaBytes: { ...told.mediaBytes, voice: 256 * KiB } } });
    expect(useMedia().sendLimitBytes('voice')).toBe(256 * KiB);
    // offline keeps what the last login told
    useSession().onConnection({ state: 'reconnecting' });
    expect(useMedia().sendLimitBytes('voice')).toBe(256 * KiB);
  });

  it('from a core that tells no limits, is the default 2 MiB', async () => {
    await signedIn(undefined);
    expect(useMedia().sendLimitBytes('voice')).toBe(DEFAULT_SERVER_LIMITS.mediaBytes.voice);
  });
});
