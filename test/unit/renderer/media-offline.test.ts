// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { describe, expect, it } from 'vitest';
import { ApiErrorCode } from '../../../preload/api';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useMedia } from '../../../renderer/src/stores/media';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { createFakeApi, message, type Handlers } from './fake-api';

/** A picture fetched while the server cannot be reached: quiet when nobody asked, in the offline words when the user did. */
const image = message('7', 1, { conversation: 'bob', kind: 'image', media: { fileId: 'f7', name: 'sea.png', size: 100, mime: 'image/png' } });
const me = { userId: 'u1', appId: 'app', nickname: 'Me', servers: ['127.0.0.1:8883'] };
const notConnected = { ok: false, error: { code: ApiErrorCode.NOT_CONNECTED, message: 'no download: connect ECONNREFUSED' } } as const;

async function start(handlers: Handlers) {
  setActivePinia(createPinia());
  const api = createFakeApi({
    'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'electron' }),
    'session.restore': () => me,
    'conversations.list': () => [],
    'groups.mine': () => [],
    'group.requests': () => [],
    'session.connection': () => ({ state: 'reconnecting' }),
    'profile.me': () => ({ userId: 'u1', nickname: 'Me', avatar: '' }),
    ...handlers,
  });
  useBackend().attach(api);
  await useSession().start();
  return api;
}

describe('a picture offline', () => {
  it('a thumbnail fetched without being asked for fails without a toast, says offline, and is asked again once online', async () => {
    await start({ 'media.fetch': () => notConnected });
    const media = useMedia();
    expect(await media.url(image, 'thumb')).toBeNull();
    expect(useToasts().items).toEqual([]);
    expect(media.unavailable(image, 'thumb')).toBe('offline');
    expect(media.reconnects).toBe(0);

    useSession().onConnection({ state: 'online' });
    await nextTick();
    expect(media.reconnects).toBe(1);
    expect(media.unavailable(image, 'thumb')).toBeUndefined();
  });

  it('the user’s own save offline says so in the offline words, not a bare code', async () => {
    await start({ 'media.save': () => notConnected });
    await useMedia().save(image);
    const [toast] = useToasts().items;
    expect(toast?.words).toEqual({ key: 'mediaUi.offlineAction', values: { name: 'sea.png' } });
    expect(useMedia().fileStates.get('7')).toBe('failed');
  });
});
