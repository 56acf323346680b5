import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../protocol';
import { sha256OfFile } from '../../platform/files';
import { clientId, openChatWorld, type ChatWorld } from '../integration/server/chat-fixture';
import { randomFile, raw, tokenOf, upload } from '../integration/server/files-fixture';
import { mountSmallFilesystem, smallFilesystemAvailability, type SmallFilesystem } from './support/small-filesystem';

/** The file service's folder (`<data>/files`) on a small file system of its own; the database stays on the machine's disk. */
const MEDIA_FS_BYTES = 4 * 1024 * 1024;

describe('the media folder full or read-only', () => {
  let fs: SmallFilesystem | undefined;
  let world: ChatWorld | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await world?.close();
    world = undefined;
    fs?.remove();
    fs = undefined;
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    dir = undefined;
  });

  it('refuses an upload with STORAGE_UNAVAILABLE (no server path), keeps what it had and serving texts, and resumes once there is room', { timeout: 60_000 }, async () => {
    const availability = smallFilesystemAvailability();
    if (!availability.ok) {
      console.warn(`reliability: media-storage-full NOT RUN: ${availability.reason}`);
      return;
    }
    fs = mountSmallFilesystem(MEDIA_FS_BYTES);
    dir = await mkdtemp(join(tmpdir(), 'magpie-media-full-'));
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    await symlink(fs.path, join(dataDir, 'files'));
    world = await openChatWorld({ dataDir });
    const http = world.server.httpPort;
    const alice = await world.login('alice01');
    await world.login('bob01');

    // room for about half of it: the upload stops part way, with a clear refusal
    const path = await randomFile(dir, 'report.bin', 3 * 1024 * 1024);
    const filler = await randomFile(fs.path, 'filler-half', 2 * 1024 * 1024);
    let url = '';
    const refused = await upload(alice, http, path, 'file', { onUrl: (u) => (url = u) }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: ErrorCode.STORAGE_UNAVAILABLE, message: expect.stringContaining('retry later') });
    expect((refused as Error).message).not.toContain(fs.path);
    expect(url).not.toBe('');

    // a new upload while the folder is full: refused the same way
    fs.fill();
    const small = await randomFile(dir, 'note.bin', 64 * 1024);
    await expect(upload(alice, http, small, 'file')).rejects.toMatchObject({ code: ErrorCode.STORAGE_UNAVAILABLE });
    const answer = await raw(http, '/files/uploads', {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '10',
        'Upload-Metadata': `kind ${Buffer.from('file').toString('base64')},filename ${Buffer.from('a.bin').toString('base64')}`,
        authorization: `Bearer ${tokenOf(alice)}`,
      },
    });
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { code: number; message: string };
    expect(body.code).toBe(ErrorCode.STORAGE_UNAVAILABLE);
    expect(body.message).not.toContain(fs.path);

    // texts go on meanwhile: the database is elsewhere
    await expect(alice.send({ clientMsgId: clientId(1), to: 'bob01', type: pb.MessageType.TEXT, text: 'the file is coming' })).resolves.toBeDefined();

    // room again: the cut upload continues from what the server kept, and ends whole
    fs.free();
    await rm(filler);
    const head = await raw(http, new URL(url).pathname, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${tokenOf(alice)}` } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    const progress: number[] = [];
    const file = await upload(alice, http, path, 'file', { resumeUrl: url, onProgress: (sent) => progress.push(sent) });
    expect(Math.min(...progress)).toBeGreaterThanOrEqual(offset);
    expect(file.sha256).toBe(await sha256OfFile(path));
  });

  it('refuses an upload into a read-only media folder with STORAGE_UNAVAILABLE', { timeout: 60_000 }, async () => {
    const availability = smallFilesystemAvailability();
    if (!availability.ok) {
      console.warn(`reliability: media-storage-full NOT RUN: ${availability.reason}`);
      return;
    }
    fs = mountSmallFilesystem(MEDIA_FS_BYTES);
    dir = await mkdtemp(join(tmpdir(), 'magpie-media-ro-'));
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    await symlink(fs.path, join(dataDir, 'files'));
    world = await openChatWorld({ dataDir });
    const alice = await world.login('alice01');
    expect(spawnSync('mount', ['-o', 'remount,ro', fs.path]).status).toBe(0);
    try {
      const small = await randomFile(dir, 'note.bin', 64 * 1024);
      const refused = await upload(alice, world.server.httpPort, small, 'file').catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: ErrorCode.STORAGE_UNAVAILABLE });
      expect((refused as Error).message).not.toContain(fs.path);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', fs.path]);
    }
  });
});
