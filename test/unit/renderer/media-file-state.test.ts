// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useMedia } from '../../../renderer/src/stores/media';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi, message, type Handlers } from './fake-api';

/** A file card's state ("Downloading…", failed, saved): never stuck, and not carried to the next account. */
const file = message('9', 1, { conversation: 'bob', kind: 'file', media: { fileId: 'f9', name: 'notes.txt', size: 100, mime: 'text/plain' } });
const me = { userId: 'u1', appId: 'app', nickname: 'Me', servers: ['127.0.0.1:8883'] };

async function start(handlers: Handlers) {
  setActivePinia(createPinia());
  const api = createFakeApi({
    'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'electron' }),
    'session.restore': () => me,
    'session.logout': () => null,
    'conversations.list': () => [],
    'groups.mine': () => [],
    'group.requests': () => [],
    'session.connection': () => ({ state: 'online' }),
    'profile.me': () => ({ userId: 'u1', nickname: 'Me', avatar: '' }),
    ...handlers,
  });
  useBackend().attach(api);
  await useSession().start();
  return api;
}

describe('a file card’s state', () => {
  it('is "failed", not "downloading", when the save or open call itself throws', async () => {
    await start({
      'media.save': () => Promise.reject(new Error('the bridge is gone')),
      'media.open': () => Promise.reject(new Error('the bridge is gone')),
    });
    const media = useMedia();
    await expect(media.save(file)).rejects.toThrow('the bridge is gone');
    expect(media.fileStates.get('9')).toBe('failed');
    media.fileStates.delete('9');
    await expect(media.open(file)).rejects.toThrow('the bridge is gone');
    expect(media.fileStates.get('9')).toBe('failed');
  });

  it('is cleared on signing out', async () => {
    await start({ 'media.save': () => ({ saved: true }) });
    const media = useMedia();
    await media.save(file);
    expect(media.fileStates.get('9')).toBe('saved');
    await useSession().logout(false);
    expect(media.fileStates.size).toBe(0);
  });
});
