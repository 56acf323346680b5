import { createHash } from 'node:crypto';
import { readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, pb } from '../../../protocol';
import { sha256OfFile as hashOf } from '../../../platform/files';
import { uploadFile } from '../../../main/files/uploader';
import { isMessage, openChatWorld, type ChatWorld } from './chat-fixture';
import { baseUrl, blobCount, download, randomFile, raw, sendMedia, tempDir, tokenOf, upload } from './files-fixture';
import { tinyBmp } from '../../support/tiny-bmp';

let world: ChatWorld;
let clock: ManualClock;
let dir: string;
let http: number;
beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 29, 6, 0, 0));
  world = await openChatWorld({ clock, tuning: { idleTimeoutMs: 30 * 86_400_000 } });
  http = world.server.httpPort;
  dir = await tempDir();
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe('the file service', () => {
  it('announces its port and a media token in LOGIN_RESULT', async () => {
    const alice = await world.login('alice01');
    expect(alice.login.httpPort).toBe(http);
    expect(alice.login.mediaToken?.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(alice.login.mediaToken?.expiresMs).toBe(BigInt(clock.now() + 3_600_000));
  });

  it('uploads and downloads a 50 MiB file with equal sha256, for sender and recipient', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const path = await randomFile(dir, 'big.bin', 50 * 1024 * 1024);
    const sha = await hashOf(path);
    const progress: number[] = [];
    const file = await upload(alice, http, path, 'file', { onProgress: (sent) => progress.push(sent) });
    expect(file).toMatchObject({ size: 50 * 1024 * 1024, sha256: sha, mime: 'application/octet-stream' });
    expect(progress.at(-1)).toBe(50 * 1024 * 1024);
    await sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, file);
    const entry = await bob.nextPush(isMessage);
    const media = (entry.item.value as pb.Message).media!;
    expect(media).toMatchObject({ fileId: file.fileId, size: 50n * 1024n * 1024n, sha256: sha, name: 'x' });
    const got = await download(bob, http, media.fileId, join(dir, 'got.bin'), media.sha256);
    expect(got.size).toBe(50 * 1024 * 1024);
    expect(await hashOf(join(dir, 'got.bin'))).toBe(sha);
  }, 60_000);

  it('resumes an upload cut at ~40% from its offset, not from 0', async () => {
    const alice = await world.login('alice01');
    const size = 8 * 1024 * 1024;
    const path = await randomFile(dir, 'cut.bin', size);
    let url = '';
    const cut = new AbortController();
    const first = upload(alice, http, path, 'file', {
      chunkSize: 256 * 1024,
      onUrl: (u) => (url = u),
      onProgress: (sent) => {
        if (sent >= size * 0.4) cut.abort();
      },
      signal: cut.signal,
    });
    await expect(first).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    const head = await raw(http, new URL(url).pathname, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${tokenOf(alice)}` },
    });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThanOrEqual(size * 0.3);
    expect(offset).toBeLessThan(size);
    const progress: number[] = [];
    const file = await upload(alice, http, path, 'file', { resumeUrl: url, chunkSize: 256 * 1024, onProgress: (sent) => progress.push(sent) });
    // the resumed upload starts where the server stopped: no progress below the offset
    expect(Math.min(...progress)).toBeGreaterThanOrEqual(offset);
    expect(file.sha256).toBe(await hashOf(path));
  }, 30_000);

  it('stops an upload whose file is cut short while it is sent, at once, instead of waiting for bytes that never come', async () => {
    const alice = await world.login('alice01');
    const size = 64 * 1024 * 1024;
    const path = await randomFile(dir, 'shrinking.bin', size);
    const whole = await hashOf(path);
    let cut = false;
    const startedMs = Date.now();
    const sending = upload(alice, http, path, 'file', {
      onProgress: (sent) => {
        if (cut || sent < size * 0.1) return;
        cut = true;
        void truncate(path, 1000);
      },
    });
    const outcome = await Promise.race([
      sending.then(
        (file) => file,
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000)),
    ]);
    expect(cut).toBe(true);
    if (outcome && typeof outcome === 'object' && 'fileId' in outcome) {
      // on a fast machine the reader can have read the whole file before the cut: then what went
      // up is the file as it was, whole, never a mix
      expect(outcome).toMatchObject({ size, sha256: whole });
    } else {
      expect(outcome).toMatchObject({ code: ErrorCode.FILE_SOURCE_MISSING, message: expect.stringContaining('the file changed while it was sent') });
    }
    expect(Date.now() - startedMs).toBeLessThan(10_000);
  }, 30_000);

  it('answers a stranger 403, the same as for a file that does not exist', async () => {
    const alice = await world.login('alice01');
    await world.login('bob01');
    const mallory = await world.login('mallory');
    const file = await upload(alice, http, await randomFile(dir, 'a.bin', 1000), 'file');
    await sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, file);
    const auth = { authorization: `Bearer ${tokenOf(mallory)}` };
    const theirs = await raw(http, `/files/${file.fileId}`, { headers: auth });
    const none = await raw(http, `/files/${'0'.repeat(32)}`, { headers: auth });
    expect(theirs.status).toBe(403);
    expect(none.status).toBe(403);
    expect(await theirs.json()).toEqual(await none.json());
    await expect(download(mallory, http, file.fileId, join(dir, 'm.bin'))).rejects.toMatchObject({ code: ErrorCode.FILE_FORBIDDEN });
  });

  it('lets a group member download what was posted, and not someone outside the group', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const eve = await world.login('eve01');
    const created = await alice.group({ case: 'create', value: { name: 'team', members: ['bob01'] } });
    const groupId = created.case === 'group' ? created.value.groupId : '';
    const file = await upload(alice, http, await randomFile(dir, 'g.bin', 2000), 'file');
    await sendMedia(alice, groupId, 1, pb.MessageType.FILE, file);
    await expect(download(bob, http, file.fileId, join(dir, 'b.bin'))).resolves.toMatchObject({ size: 2000 });
    await expect(download(eve, http, file.fileId, join(dir, 'e.bin'))).rejects.toMatchObject({ code: ErrorCode.FILE_FORBIDDEN });
  });

  it('refuses an expired media token, and takes a refreshed one', async () => {
    const alice = await world.login('alice01');
    const path = await randomFile(dir, 'a.bin', 1000);
    clock.advance(3_600_001);
    await expect(upload(alice, http, path, 'file')).rejects.toMatchObject({ code: ErrorCode.MEDIA_TOKEN_INVALID });
    const fresh = await alice.client.ask('MEDIA_TOKEN', {}, 'MEDIA_TOKEN_RESULT');
    expect(fresh.expiresMs).toBe(BigInt(clock.now() + 3_600_000));
    const file = await uploadFile({ baseUrl: baseUrl(http), token: () => fresh.token, path, kind: 'file' });
    expect(file.size).toBe(1000);
  });

  it('refuses a SEND naming someone else’s upload, an unfinished one, or other sizes and types', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const bobs = await upload(bob, http, await randomFile(dir, 'b.bin', 1000), 'file');
    await expect(sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, bobs)).rejects.toMatchObject({ code: ErrorCode.UPLOAD_NOT_FOUND });

    const cut = new AbortController();
    let url = '';
    const unfinished = upload(alice, http, await randomFile(dir, 'u.bin', 4 * 1024 * 1024), 'file', {
      chunkSize: 256 * 1024,
      onUrl: (u) => (url = u),
      onProgress: () => cut.abort(),
      signal: cut.signal,
    });
    await expect(unfinished).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    const fileId = url.split('/').at(-1)!;
    const fake = { fileId, url, size: 4 * 1024 * 1024, mime: 'application/octet-stream', sha256: '', width: 0, height: 0 };
    await expect(sendMedia(alice, 'bob01', 2, pb.MessageType.FILE, fake)).rejects.toMatchObject({ code: ErrorCode.UPLOAD_NOT_FOUND });

    const mine = await upload(alice, http, await randomFile(dir, 'm.bin', 1000), 'file');
    await expect(sendMedia(alice, 'bob01', 3, pb.MessageType.FILE, { ...mine, size: 2 * 1024 * 1024 * 1024 })).rejects.toMatchObject({
      code: ErrorCode.UPLOAD_MISMATCH,
    });
    await expect(sendMedia(alice, 'bob01', 4, pb.MessageType.FILE, { ...mine, mime: 'image/png' })).rejects.toMatchObject({ code: ErrorCode.UPLOAD_MISMATCH });
    await expect(sendMedia(alice, 'bob01', 5, pb.MessageType.IMAGE, mine)).rejects.toMatchObject({ code: ErrorCode.UPLOAD_MISMATCH });
    await expect(sendMedia(alice, 'bob01', 6, pb.MessageType.FILE, mine)).resolves.toMatchObject({ seq: 1n });
  });

  it('stores the same bytes once however often they are uploaded', async () => {
    const alice = await world.login('alice01');
    const path = await randomFile(dir, 'same.bin', 5000);
    const one = await upload(alice, http, path, 'file');
    const two = await upload(alice, http, path, 'file');
    expect(one.fileId).not.toBe(two.fileId);
    expect(one.sha256).toBe(two.sha256);
    expect(await blobCount(world.server.dataDir)).toBe(1);
  });

  it('sniffs the type from the bytes, makes a thumbnail of a real image, and refuses an image that is not one', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const png = join(dir, 'photo.txt');
    await writeFile(png, await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a7' } }).png().toBuffer());
    const file = await upload(alice, http, png, 'image');
    expect(file).toMatchObject({ mime: 'image/png', width: 1200, height: 800 });
    await sendMedia(alice, 'bob01', 1, pb.MessageType.IMAGE, file);
    const media = ((await bob.nextPush(isMessage)).item.value as pb.Message).media!;
    expect(media).toMatchObject({ width: 1200, height: 800, mime: 'image/png', thumbnailId: `${file.fileId}.thumb` });
    const thumb = await download(bob, http, media.thumbnailId, join(dir, 'thumb'));
    expect(thumb.mime).toBe('image/webp');
    const meta = await sharp(await readFile(join(dir, 'thumb'))).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 213 });

    await expect(upload(alice, http, await randomFile(dir, 'noise.png', 3000), 'image')).rejects.toMatchObject({ code: ErrorCode.FILE_TYPE_REFUSED });
  });

  it('types a text that starts with "BM" by its bytes as no picture (not a BMP), so no page opens it as a broken image; a real BMP stays one', async () => {
    const alice = await world.login('alice01');
    const text = join(dir, 'cars.txt');
    await writeFile(text, 'BMW, Audi and others\n');
    expect(await upload(alice, http, text, 'file')).toMatchObject({ mime: 'application/octet-stream' });
    const bmp = tinyBmp();
    await writeFile(join(dir, 'scan.bmp'), bmp);
    expect(await upload(alice, http, join(dir, 'scan.bmp'), 'file')).toMatchObject({ mime: 'image/bmp' });
  });

  it('refuses a HEIC photo sent as an image saying to send it as a file, and takes it as a file', async () => {
    const alice = await world.login('alice01');
    const photo = join(dir, 'IMG_0001.HEIC');
    await writeFile(photo, await heicPhoto());
    await expect(upload(alice, http, photo, 'image')).rejects.toMatchObject({
      code: ErrorCode.FILE_TYPE_REFUSED,
      message: 'the image cannot be decoded: this server does not read image/heic pictures; send it as a file',
    });
    expect(await upload(alice, http, photo, 'file')).toMatchObject({ mime: 'image/heic' });
  });

  it('refuses a picture cut short as the sender’s file (FILE_TYPE_REFUSED, not a server failure), and keeps serving', async () => {
    const alice = await world.login('alice01');
    const whole = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .png()
      .toBuffer();
    // the header reads well: only decoding the pixels finds the cut
    const cut = join(dir, 'cut.png');
    await writeFile(cut, whole.subarray(0, 4096));
    await expect(upload(alice, http, cut, 'image')).rejects.toMatchObject({ code: ErrorCode.FILE_TYPE_REFUSED, message: expect.stringContaining('damaged or cut short') });
    const good = join(dir, 'good.png');
    await writeFile(good, await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } }).png().toBuffer());
    await expect(upload(alice, http, good, 'image')).resolves.toMatchObject({ width: 20, height: 20 });
  });

  it('refuses a picture of more pixels than it decodes by its sides, saying them, before decoding it', async () => {
    const alice = await world.login('alice01');
    // a decompression bomb: 30000 x 30000 one-bit pixels in about 100 KB of PNG
    const bomb = join(dir, 'bomb.png');
    await writeFile(bomb, blankPng(30_000, 30_000));
    expect((await stat(bomb)).size).toBeLessThan(1024 * 1024);
    await expect(upload(alice, http, bomb, 'image')).rejects.toMatchObject({
      code: ErrorCode.FILE_TYPE_REFUSED,
      message: expect.stringContaining('the image is 30000 x 30000 pixels: the server takes at most 268402689 pixels'),
    });
  });

  it('refuses an upload above its kind’s limit before any byte is sent', async () => {
    const alice = await world.login('alice01');
    const path = await randomFile(dir, 'v.bin', 2 * 1024 * 1024 + 1);
    await expect(upload(alice, http, path, 'voice')).rejects.toMatchObject({ code: ErrorCode.FILE_TOO_LARGE });
  });

  it('refuses a file above every kind’s limit with FILE_TOO_LARGE and the limit, as any other too large upload', async () => {
    const alice = await world.login('alice01');
    const path = join(dir, 'huge.bin');
    await writeFile(path, '');
    // sparse: refused on its announced length, no byte is read
    await truncate(path, 100 * 1024 * 1024 + 1);
    await expect(upload(alice, http, path, 'file')).rejects.toMatchObject({
      code: ErrorCode.FILE_TOO_LARGE,
      message: expect.stringContaining(String(100 * 1024 * 1024)),
    });
  });

  it('serves ranges and answers 304 to a known ETag', async () => {
    const alice = await world.login('alice01');
    const path = await randomFile(dir, 'r.bin', 10_000);
    const bytes = await readFile(path);
    const file = await upload(alice, http, path, 'file');
    const auth = `Bearer ${tokenOf(alice)}`;
    const part = await raw(http, `/files/${file.fileId}`, { headers: { authorization: auth, range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const etag = part.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    const again = await raw(http, `/files/${file.fileId}`, { headers: { authorization: auth, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const past = await raw(http, `/files/${file.fileId}`, { headers: { authorization: auth, range: 'bytes=20000-' } });
    expect(past.status).toBe(416);
  });

  it('sweeps uploads no message referenced within 24 h, and keeps those that were sent', async () => {
    const alice = await world.login('alice01');
    await world.login('bob01');
    const sent = await upload(alice, http, await randomFile(dir, 's.bin', 1000), 'file');
    const unsent = await upload(alice, http, await randomFile(dir, 'u.bin', 1000), 'file');
    await sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, sent);
    clock.advance(86_400_000 - 1);
    expect(await world.server.server.files.sweeper.sweep()).toBe(0);
    clock.advance(2);
    expect(await world.server.server.files.sweeper.sweep()).toBe(1);
    expect(world.server.server.files.records.get(unsent.fileId)).toBeUndefined();
    expect(world.server.server.files.records.get(sent.fileId)).toBeDefined();
    expect(await blobCount(world.server.dataDir)).toBe(1);
  });
});

/**
 * A phone's HEIC photo as the server sees it: a HEIF file whose picture is HEVC, which its image
 * library cannot decode (it reads AVIF only). Made from an AVIF by renaming its brand and codec.
 */
async function heicPhoto(): Promise<Buffer> {
  const bytes = Buffer.from(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a37' } }).avif().toBuffer());
  for (const [from, to] of [['avif', 'heic'], ['av01', 'hvc1'], ['av1C', 'hvcC']] as const) {
    for (let at = bytes.indexOf(from, 0, 'latin1'); at >= 0; at = bytes.indexOf(from, at + 4, 'latin1')) bytes.write(to, at, 'latin1');
  }
  return bytes;
}

/** A black PNG of one-bit grey pixels: tiny on disk whatever its sides. */
function blankPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(typed.length + 8);
    out.writeUInt32BE(data.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(crc32(typed), typed.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grey
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0, all pixels 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
