import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { MEDIA_LIMITS, newPageClientMsgId, type MessageView } from '../../../preload/api';
import { createMediaAccess } from '../../../main/files/media-access';
import { createMediaOutbox } from '../../../main/files/media-outbox';
import { toMessageView } from '../../../main/views/message-view';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually, type TestCore } from './client-fixture';
import { tinyBmp } from '../../support/tiny-bmp';

/** The message's latest view once it has left 'sending'. */
async function settled(core: TestCore, key: string): Promise<MessageView> {
  const latest = () => core.upserted().filter((m) => m.key === key).at(-1);
  await eventually(() => (latest()?.state ?? 'sending') !== 'sending', 10_000, () => `message ${key} to settle`);
  return latest()!;
}

/** The contract's media calls, core against a real server and its file service. */
describe('media through the contract', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });


  it('sends an image that the other side fetches with equal bytes, and its thumbnail', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    const bob = await fixture.core(server, 'bob');
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#36c' } }).png().toBuffer();
    const sent = await alice.call('media.send', { conversation: 'bob', kind: 'image', name: 'sky.png', bytes: png.toString('base64') });
    // stored at once, sending; the upload runs beside the chat and the bubble follows it by its key
    expect(sent).toMatchObject({ ok: true, value: { kind: 'image', state: 'sending', media: { name: 'sky.png', size: png.length } } });
    const key = sent.ok ? sent.value.key : '';
    const done = await settled(alice, key);
    expect(done).toMatchObject({ state: 'sent', media: { name: 'sky.png', size: png.length, mime: 'image/png', width: 640, height: 480 } });
    expect(alice.progress().some((p) => p.ref === key && p.loaded === png.length)).toBe(true);

    await eventually(() => bob.upserted().some((m) => m.kind === 'image'), 5_000);
    const received = bob.upserted().find((m) => m.kind === 'image')!;
    const full = await bob.call('media.fetch', { key: received.key });
    expect(full.ok && Buffer.compare(Buffer.from(full.value.bytes, 'base64'), png)).toBe(0);
    expect(full).toMatchObject({ ok: true, value: { mime: 'image/png', size: png.length } });
    const thumb = await bob.call('media.fetch', { key: received.key, thumb: true });
    expect(thumb.ok && (await sharp(Buffer.from(thumb.value.bytes, 'base64')).metadata()).width).toBeLessThanOrEqual(320);
  }, 30_000);

  it('a picture too large to decode in the page comes to the viewer as a scaled copy, the original whole for open and save', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    const bob = await fixture.core(server, 'bob');
    // 16000 × 16000 is a gigabyte of pixels in the page; one colour keeps the PNG small
    const huge = await sharp({ create: { width: 16_000, height: 16_000, channels: 3, background: '#c63' } }).png().toBuffer();
    const small = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3c6' } }).png().toBuffer();
    for (const [name, png] of [['huge.png', huge], ['small.png', small]] as const) {
      const sent = await alice.call('media.send', { conversation: 'bob', kind: 'image', name, bytes: png.toString('base64') });
      expect(await settled(alice, sent.ok ? sent.value.key : '')).toMatchObject({ state: 'sent' });
    }
    await eventually(() => bob.upserted().filter((m) => m.kind === 'image').length === 2, 10_000);
    const [hugeKey, smallKey] = ['huge.png', 'small.png'].map((name) => bob.upserted().find((m) => m.media?.name === name)!.key);

    const view = await bob.call('media.fetch', { key: hugeKey!, view: true });
    expect(view).toMatchObject({ ok: true, value: { mime: 'image/webp', scaledFrom: { width: 16_000, height: 16_000 } } });
    const scaled = await sharp(Buffer.from(view.ok ? view.value.bytes : '', 'base64')).metadata();
    expect([scaled.width, scaled.height]).toEqual([MEDIA_LIMITS.viewScaledSidePx, MEDIA_LIMITS.viewScaledSidePx]);
    // asked again (the viewer opened again, offline too): the copy kept in the cache, not scaled again
    const again = await bob.call('media.fetch', { key: hugeKey!, view: true });
    expect(again.ok && view.ok && again.value.bytes === view.value.bytes).toBe(true);
    const original = await bob.call('media.fetch', { key: hugeKey! });
    expect(original.ok && Buffer.compare(Buffer.from(original.value.bytes, 'base64'), huge)).toBe(0);
    expect(original.ok && 'scaledFrom' in original.value).toBe(false);

    // under the limit: the viewer gets the file itself
    const smallView = await bob.call('media.fetch', { key: smallKey!, view: true });
    expect(smallView.ok && Buffer.compare(Buffer.from(smallView.value.bytes, 'base64'), small)).toBe(0);
    expect(smallView).toMatchObject({ ok: true, value: { mime: 'image/png' } });
    expect(smallView.ok && 'scaledFrom' in smallView.value).toBe(false);
  }, 60_000);

  it('a TIFF the server took as an image (sent by another client or an app server) comes to the viewer as a WebP copy the page can show', async () => {
    server = await startTestServer();
    const bob = await fixture.core(server, 'bob');
    // the server's image library reads TIFF and thumbnails it; Chromium cannot decode one. The
    // app's own core sends one as a file: this sender is a client that asks for an image anyway
    const tiff = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#963' } }).tiff().toBuffer();
    const alice = await fixture.client(server, 'alice');
    // as the CLI does: the file service's grant is followed from the first login on
    const outbox = createMediaOutbox({ client: alice, access: createMediaAccess(alice), log: pino({ level: 'silent' }) });
    await alice.start();
    const tiffPath = join(await fixture.profile(), 'scan.tiff');
    await writeFile(tiffPath, tiff);
    const sent = await outbox.send({ to: 'bob', path: tiffPath, kind: 'image' });
    await outbox.settled(sent.clientMsgId ?? '');
    outbox.dispose();
    const stored = () => toMessageView(alice.store.messages.getByClientMsgId(sent.clientMsgId ?? '')!);
    await eventually(() => stored().state !== 'sending', 10_000, () => 'the TIFF to be sent');
    expect(stored()).toMatchObject({ state: 'sent', media: { mime: 'image/tiff', width: 300, height: 200 } });
    await eventually(() => bob.upserted().some((m) => m.media?.name === 'scan.tiff'), 5_000);
    const key = bob.upserted().find((m) => m.media?.name === 'scan.tiff')!.key;

    const view = await bob.call('media.fetch', { key, view: true });
    expect(view).toMatchObject({ ok: true, value: { mime: 'image/webp' } });
    // not scaled: the picture's own sides, and no "shown scaled down" for the viewer to say
    expect(view.ok && 'scaledFrom' in view.value).toBe(false);
    const shown = await sharp(Buffer.from(view.ok ? view.value.bytes : '', 'base64')).metadata();
    expect([shown.format, shown.width, shown.height]).toEqual(['webp', 300, 200]);
    // open and save still hand over the original
    const original = await bob.call('media.fetch', { key });
    expect(original.ok && Buffer.compare(Buffer.from(original.value.bytes, 'base64'), tiff)).toBe(0);
  }, 30_000);

  it('sends a file, refuses an "image" that is none with the file service\'s code, and a bad call at the boundary', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    const bytes = randomBytes(200_000);
    const sent = await alice.call('media.send', { conversation: 'bob', kind: 'file', name: 'data.bin', bytes: bytes.toString('base64') });
    expect(sent).toMatchObject({ ok: true, value: { kind: 'file', media: { size: 200_000 } } });
    expect(await settled(alice, sent.ok ? sent.value.key : '')).toMatchObject({ state: 'sent' });
    const own = await alice.call('media.fetch', { key: sent.ok ? sent.value.key : '' });
    expect(own.ok && Buffer.compare(Buffer.from(own.value.bytes, 'base64'), bytes)).toBe(0);

    // the page names a kind, the bytes decide (protocol/media-kinds.ts): an "image" that is none goes as a file
    const fake = await alice.call('media.send', { conversation: 'bob', kind: 'image', name: 'x.png', bytes: randomBytes(500).toString('base64') });
    expect(fake).toMatchObject({ ok: true, value: { kind: 'file', media: { name: 'x.png' } } });
    expect(await settled(alice, fake.ok ? fake.value.key : '')).toMatchObject({ state: 'sent', kind: 'file' });
    const missing = await alice.call('media.fetch', { key: '999999' });
    expect(missing).toMatchObject({ ok: false, error: { code: ErrorCode.MESSAGE_NOT_FOUND } });
    const bad = await alice.call('media.send', { conversation: 'bob', kind: 'sticker' as 'file', name: 'a', bytes: 'AA==' });
    expect(bad).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_ARGUMENT } });
  }, 30_000);

  it('types the page\'s bytes itself: an EXE handed over as an image goes as a file, as a voice message is refused', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    const bob = await fixture.core(server, 'bob');
    // a Windows program's first bytes (MZ, then its PE header where e_lfanew points)
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x40, 0, 0, 0]), Buffer.from('PE\0\0'), randomBytes(4000)]);

    // the sandboxed page says "image": the core's own typing says file, and so the message is one
    const asImage = await alice.call('media.send', { conversation: 'bob', kind: 'image', name: 'cute-cat.png', bytes: exe.toString('base64') });
    expect(asImage).toMatchObject({ ok: true, value: { kind: 'file', media: { name: 'cute-cat.png', size: exe.length } } });
    const key = asImage.ok ? asImage.value.key : '';
    expect(await settled(alice, key)).toMatchObject({ kind: 'file', state: 'sent' });
    await eventually(() => bob.upserted().some((m) => m.media?.name === 'cute-cat.png'), 5_000);
    const received = bob.upserted().find((m) => m.media?.name === 'cute-cat.png')!;
    expect(received.kind).toBe('file');
    expect(received.media?.mime.startsWith('image/')).toBe(false);
    // no thumbnail is asked of the server for it: a file's card shows no picture
    const fetched = await bob.call('media.fetch', { key: received.key });
    expect(fetched.ok && Buffer.compare(Buffer.from(fetched.value.bytes, 'base64'), exe)).toBe(0);

    // the page says "voice": refused at once, nothing stored, no copy of the bytes left behind
    const before = alice.upserted().length;
    const asVoice = await alice.call('media.send', { conversation: 'bob', kind: 'voice', name: 'voice.webm', bytes: exe.toString('base64'), durationMs: 3_000 });
    expect(asVoice).toMatchObject({ ok: false, error: { code: ErrorCode.FILE_TYPE_REFUSED } });
    expect(alice.upserted()).toHaveLength(before);
    const page = await alice.call('messages.page', { conversation: 'bob', limit: 10 });
    expect(page.ok && page.value.messages.map((m) => m.kind)).toEqual(['file']);
    const outgoing = join(alice.profileDir, server.appId, 'alice', 'outgoing');
    let left = ['?'];
    await eventually(() => (void readdir(outgoing).then((names) => (left = names)), left.length === 0), 10_000, () => `own copies removed (${left.join(', ')})`);

    // a real recording named voice goes as one
    const wav = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(2000)]);
    const voice = await alice.call('media.send', { conversation: 'bob', kind: 'voice', name: 'voice.wav', bytes: wav.toString('base64'), durationMs: 1_000 });
    expect(voice).toMatchObject({ ok: true, value: { kind: 'voice', media: { durationMs: 1_000 } } });
    // and a picture named a file stays a file: the user asked so
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } }).png().toBuffer();
    const asFile = await alice.call('media.send', { conversation: 'bob', kind: 'file', name: 'dot.png', bytes: png.toString('base64') });
    expect(asFile).toMatchObject({ ok: true, value: { kind: 'file' } });
  }, 30_000);

  it('takes the client id the page showed the file under, with its time, and a second hand-over of it stores nothing', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    const text = await alice.call('message.send', { conversation: 'bob', content: { kind: 'text', text: 'sent while the file crossed' } });
    // picked before that text was sent, handed over after it
    const pickedAt = (text.ok ? text.value.timeMs : 0) - 500;
    const clientMsgId = newPageClientMsgId(pickedAt);
    const bytes = randomBytes(50_000);
    const args = { conversation: 'bob', kind: 'file' as const, name: 'picked.bin', bytes: bytes.toString('base64'), clientMsgId };
    const sent = await alice.call('media.send', args);
    expect(sent).toMatchObject({ ok: true, value: { clientMsgId, timeMs: pickedAt, state: 'sending' } });
    const key = sent.ok ? sent.value.key : '';
    // its answer lost, the page hands it over again: the same message, no second one
    const again = await alice.call('media.send', args);
    expect(again).toMatchObject({ ok: true, value: { key, clientMsgId } });
    const page = await alice.call('messages.page', { conversation: 'bob', limit: 10 });
    const files = page.ok ? page.value.messages.filter((m) => m.kind === 'file') : [];
    expect(files.map((m) => m.key)).toEqual([key]);
    // shown above the text until it is sent (then at the server's time, as every message)
    expect(page.ok && page.value.messages.map((m) => m.kind)).toEqual(['file', 'text']);
    expect(await settled(alice, key)).toMatchObject({ state: 'sent', clientMsgId });
    // a time an hour ahead of the core's clock is not taken: the server's time as reckoned stands
    // (on this machine the server's clock, reckoned to a few ms, so not compared to the ms)
    const ahead = await alice.call('media.send', { ...args, clientMsgId: newPageClientMsgId(Date.now() + 3_600_000) });
    expect(ahead.ok && ahead.value.timeMs).toBeLessThanOrEqual(Date.now() + 1_000);
    const malformed = await alice.call('media.send', { ...args, clientMsgId: 'not-hex' });
    expect(malformed).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_ARGUMENT } });
  }, 30_000);

  it('opens and saves a file through the desktop shell\'s system app and save dialog; the web shell leaves both to its page', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    // the system's app and dialog are outside our system: these record what they were asked
    const opened: string[] = [];
    const dialog: { answer?: string } = {};
    const asked: string[] = [];
    const desktopFiles = {
      openPath: (path: string) => {
        opened.push(path);
        return Promise.resolve('');
      },
      askSavePath: (name: string) => {
        asked.push(name);
        return Promise.resolve(dialog.answer);
      },
    };
    const bob = await fixture.core(server, 'bob', { desktopFiles });
    const bytes = randomBytes(120_000);
    const sent = await alice.call('media.send', { conversation: 'bob', kind: 'file', name: '../report.pdf', bytes: bytes.toString('base64') });
    expect(await settled(alice, sent.ok ? sent.value.key : '')).toMatchObject({ state: 'sent' });
    await eventually(() => bob.upserted().some((m) => m.kind === 'file'), 5_000);
    const { key } = bob.upserted().find((m) => m.kind === 'file')!;

    // open: a copy under the sender's name (as one safe segment) goes to the system's app
    expect(await bob.call('media.open', { key })).toEqual({ ok: true, value: null });
    expect(opened).toHaveLength(1);
    expect(basename(opened[0]!)).toBe('report.pdf');
    expect(Buffer.compare(await readFile(opened[0]!), bytes)).toBe(0);

    // save: the dialog is asked with the name; cancelled, nothing is written; chosen, the bytes land there
    expect(await bob.call('media.save', { key })).toEqual({ ok: true, value: { saved: false } });
    const chosen = join(bob.profileDir, 'chosen.pdf');
    dialog.answer = chosen;
    expect(await bob.call('media.save', { key })).toEqual({ ok: true, value: { saved: true } });
    expect(asked).toEqual(['report.pdf', 'report.pdf']);
    expect(Buffer.compare(await readFile(chosen), bytes)).toBe(0);

    // the web shell has no desktop files: its page downloads through the browser
    const web = await alice.call('media.save', { key: sent.ok ? sent.value.key : '' });
    expect(web).toMatchObject({ ok: false, error: { code: ErrorCode.METHOD_UNAVAILABLE } });
  }, 30_000);

  it('types the sender\'s own copy as the server types it: a text starting "BM" is no BMP, a real BMP is one', async () => {
    server = await startTestServer();
    const alice = await fixture.core(server, 'alice');
    // two large files take the two upload slots, so what follows waits its turn (not uploaded yet)
    for (const name of ['a.bin', 'b.bin']) {
      await alice.call('media.send', { conversation: 'bob', kind: 'file', name, bytes: randomBytes(15 * 1024 * 1024).toString('base64') });
    }
    const bmp = tinyBmp();
    const keys: string[] = [];
    for (const [name, bytes] of [['cars.txt', Buffer.from('BMW, Audi and others\n')], ['scan.bmp', bmp]] as const) {
      const sent = await alice.call('media.send', { conversation: 'bob', kind: 'file', name, bytes: bytes.toString('base64') });
      keys.push(sent.ok ? sent.value.key : '');
    }
    const [text, picture] = await Promise.all(keys.map((key) => alice.call('media.fetch', { key })));
    expect(text).toMatchObject({ ok: true, value: { mime: 'application/octet-stream', size: 21 } });
    expect(picture).toMatchObject({ ok: true, value: { mime: 'image/bmp', size: 70 } });
    // the server types them the same once they are up
    for (const key of keys) expect(await settled(alice, key)).toMatchObject({ state: 'sent' });
    const sentMimes = keys.map((key) => alice.upserted().filter((m) => m.key === key).at(-1)?.media?.mime);
    expect(sentMimes).toEqual(['application/octet-stream', 'image/bmp']);
  }, 60_000);

  it('shows the sender\'s own image and file from the local copy while its upload waits or runs, then from the server', async () => {
    server = await startTestServer();
    const opened: string[] = [];
    let saveAsked = 0;
    let answerSave: (path: string | undefined) => void = () => undefined;
    const desktopFiles = {
      openPath: (path: string) => {
        opened.push(path);
        return Promise.resolve('');
      },
      askSavePath: () => {
        saveAsked++;
        return new Promise<string | undefined>((resolve) => (answerSave = resolve));
      },
    };
    const alice = await fixture.core(server, 'alice', { desktopFiles });
    // two large files take the two upload slots, so what follows waits its turn (not uploaded yet)
    for (const name of ['a.bin', 'b.bin']) {
      await alice.call('media.send', { conversation: 'bob', kind: 'file', name, bytes: randomBytes(15 * 1024 * 1024).toString('base64') });
    }
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c63' } }).png().toBuffer();
    const image = await alice.call('media.send', { conversation: 'bob', kind: 'image', name: 'mine.png', bytes: png.toString('base64') });
    const doc = randomBytes(3000);
    const file = await alice.call('media.send', { conversation: 'bob', kind: 'file', name: 'notes.txt', bytes: doc.toString('base64') });
    const imageKey = image.ok ? image.value.key : '';
    const fileKey = file.ok ? file.value.key : '';
    expect(image).toMatchObject({ ok: true, value: { state: 'sending', media: { fileId: '' } } });

    // before the upload: the bytes come from the profile's copy, not UPLOAD_NOT_FOUND
    const thumb = await alice.call('media.fetch', { key: imageKey, thumb: true });
    expect(thumb).toMatchObject({ ok: true, value: { mime: 'image/png', size: png.length } });
    expect(thumb.ok && Buffer.compare(Buffer.from(thumb.value.bytes, 'base64'), png)).toBe(0);
    const own = await alice.call('media.fetch', { key: fileKey });
    expect(own).toMatchObject({ ok: true, value: { size: 3000 } });
    expect(own.ok && Buffer.compare(Buffer.from(own.value.bytes, 'base64'), doc)).toBe(0);
    expect(await alice.call('media.open', { key: fileKey })).toEqual({ ok: true, value: null });
    expect(basename(opened[0]!)).toBe('notes.txt');
    // the named copy handed to the system is Magpie's own, in the profile
    expect(opened[0]!.startsWith(join(alice.profileDir, server.appId, 'alice', 'opened'))).toBe(true);
    expect(Buffer.compare(await readFile(opened[0]!), doc)).toBe(0);

    // saved from the own copy, with the dialog answered only once the upload is done and the copy
    // gone: the bytes come from the server's file instead, and the dialog is not asked again
    const saving = alice.call('media.save', { key: fileKey });
    await eventually(() => saveAsked === 1, 5_000, () => 'the save dialog');
    expect(await settled(alice, fileKey)).toMatchObject({ state: 'sent' });
    const outgoing = join(alice.profileDir, server.appId, 'alice', 'outgoing');
    let left = ['?'];
    await eventually(() => (void readdir(outgoing).then((names) => (left = names)), left.length === 0), 30_000, () => `own copies removed (${left.join(', ')})`);
    const savedAt = join(alice.profileDir, 'saved-notes.txt');
    answerSave(savedAt);
    expect(await saving).toEqual({ ok: true, value: { saved: true } });
    expect(saveAsked).toBe(1);
    expect(Buffer.compare(await readFile(savedAt), doc)).toBe(0);

    // once up, the same calls go to the server's file
    expect(await settled(alice, imageKey)).toMatchObject({ state: 'sent' });
    const full = await alice.call('media.fetch', { key: imageKey });
    expect(full.ok && Buffer.compare(Buffer.from(full.value.bytes, 'base64'), png)).toBe(0);
  }, 60_000);
});
