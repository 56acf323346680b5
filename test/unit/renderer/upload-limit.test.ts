// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, MEDIA_LIMITS, type ServerLimits } from '../../../preload/api';
import ChatComposer from '../../../renderer/src/components/chat/ChatComposer.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { useMedia } from '../../../renderer/src/stores/media';
import { useMessages } from '../../../renderer/src/stores/messages';
import { useSession } from '../../../renderer/src/stores/session';
import { conversation, createFakeApi, type FakeApi } from './fake-api';

const KiB = 1024;
/** A server that takes pictures of at most 64 KiB and other files of at most 32 KiB (its login told it). */
const told: ServerLimits = { ...DEFAULT_SERVER_LIMITS, mediaBytes: { image: 64 * KiB, voice: 16 * KiB, file: 32 * KiB } };

async function signedIn(limits: ServerLimits | undefined): Promise<{ api: FakeApi; pinia: Pinia }> {
  const pinia = createPinia();
  setActivePinia(pinia);
  const me = { userId: 'me', appId: 'app', nickname: 'Me', servers: ['127.0.0.1:8883'], ...(limits ? { limits } : {}) };
  const api = createFakeApi({
    'app.info': () => ({ name: 'Magpie', version: '0.1.0', shell: 'web' }),
    'session.restore': () => me,
    'conversations.list': () => [conversation('bob')],
    'groups.mine': () => [],
    'group.requests': () => [],
    'session.connection': () => ({ state: 'online' }),
    'profile.me': () => ({ userId: 'me', nickname: 'Me', avatar: '' }),
    'profiles.get': () => [],
  });
  useBackend(pinia).attach(api);
  await useSession(pinia).start();
  await useConversations(pinia).load();
  return { api, pinia };
}

/** A PNG's first bytes, then zeros up to size: the composer sends it as a picture. */
function picture(size: number, name = 'photo.png'): File {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new File([bytes], name, { type: 'image/png' });
}

const file = (size: number, name = 'notes.bin') => new File([new Uint8Array(size)], name, { type: 'application/octet-stream' });

async function composerOf(pinia: Pinia, language: 'en' | 'zh-CN' = 'en') {
  return mount(ChatComposer, { props: { conversation: 'bob', isGroup: false, members: [], myId: 'me' }, global: { plugins: [pinia, createMagpieI18n(language)] } });
}

type Composer = Awaited<ReturnType<typeof composerOf>>;

async function pick(composer: Composer, files: File[]): Promise<void> {
  const input = composer.get('[data-testid="attach-input"]');
  Object.defineProperty(input.element, 'files', { value: files, configurable: true });
  await input.trigger('change');
  await flushPromises();
}

async function paste(composer: Composer, files: File[]): Promise<void> {
  const event = new Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'clipboardData', { value: { getData: () => '', items: files.map((f) => ({ kind: 'file', getAsFile: () => f })) } });
  composer.get('[data-testid="composer-input"]').element.dispatchEvent(event);
  await flushPromises();
}

/** A drop on the chat hands its files to the composer's sendFiles (ChatPane's onDrop). */
async function drop(composer: Composer, files: File[]): Promise<void> {
  await (composer.vm as unknown as { sendFiles(files: File[]): Promise<void> }).sendFiles(files);
  await flushPromises();
}

const refusals = (composer: Composer) => composer.findAll('[data-testid="composer-upload"]').map((row) => row.text());

describe("a picture or file over the server's limit", () => {
  it('picked, pasted or dropped, is refused at the composer with the server\'s figure, before any bubble or hand-over', async () => {
    const { api, pinia } = await signedIn(told);
    const composer = await composerOf(pinia);
    await pick(composer, [file(40 * KiB)]);
    expect(refusals(composer)).toEqual(['notes.bin was not sent: it is 40.0 KB, and files up to 32.0 KB can be sent']);
    // too large stays too large: no "Try again"
    expect(composer.find('[data-testid="upload-retry"]').exists()).toBe(false);
    await paste(composer, [picture(80 * KiB, 'screenshot.png')]);
    expect(refusals(composer)).toEqual(['screenshot.png was not sent: it is 80.0 KB, and pictures up to 64.0 KB can be sent']);
    await drop(composer, [file(33 * KiB, 'dropped.bin'), picture(65 * KiB)]);
    expect(refusals(composer)).toEqual([
      'dropped.bin was not sent: it is 33.0 KB, and files up to 32.0 KB can be sent',
      'photo.png was not sent: it is 65.0 KB, and pictures up to 64.0 KB can be sent',
    ]);
    expect(api.callsOf('media.send')).toEqual([]);
    expect(useMessages(pinia).histories['bob']?.items ?? []).toEqual([]);
    composer.unmount();
  });

  it('is refused in Chinese too, naming the server\'s limit', async () => {
    const { pinia } = await signedIn(told);
    const composer = await composerOf(pinia, 'zh-CN');
    await pick(composer, [picture(80 * KiB), file(40 * KiB)]);
    expect(refusals(composer)).toEqual(['photo.png 未发送：图片大小为 80.0 KB，最大可发送 64.0 KB', 'notes.bin 未发送：文件大小为 40.0 KB，最大可发送 32.0 KB']);
    composer.unmount();
  });

  it('at the limit, is shown and handed over', async () => {
    const { pinia } = await signedIn(told);
    expect(useMedia(pinia).prepare('bob', picture(64 * KiB), 'photo.png', 'image', 'me')).toHaveProperty('key');
    expect(useMedia(pinia).prepare('bob', file(32 * KiB), 'notes.bin', 'file', 'me')).toHaveProperty('key');
  });

  it("follows each login's figures; from a core that tells none, the page's own 16 MiB caps both", async () => {
    const { pinia } = await signedIn(told);
    useSession(pinia).onConnection({ state: 'online', limits: { ...told, mediaBytes: { ...told.mediaBytes, image: 8 * KiB, file: 4 * KiB } } });
    expect(useMedia(pinia).sendLimitBytes('image')).toBe(8 * KiB);
    expect(useMedia(pinia).sendLimitBytes('file')).toBe(4 * KiB);
    const { pinia: plain } = await signedIn(undefined);
    expect(useMedia(plain).sendLimitBytes('image')).toBe(MEDIA_LIMITS.maxSendBytes);
    expect(useMedia(plain).sendLimitBytes('file')).toBe(MEDIA_LIMITS.maxSendBytes);
  });
});
