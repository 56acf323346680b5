import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { createMediaAccess } from '../../../main/files/media-access';
import { createMediaOutbox } from '../../../main/files/media-outbox';
import { ErrorCode, MEDIA_BYTE_LIMITS } from '../../../protocol';
import { DEFAULT_TUNING } from '../../../server/tuning';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

/** A file of exactly `size` bytes, sparse past `head`: made at once, whatever its size. */
async function fileOf(path: string, size: number, head: Uint8Array = new Uint8Array()): Promise<string> {
  await writeFile(path, head);
  await truncate(path, size);
  return path;
}

describe('the magpie CLI refuses a file over the server limit for its kind before storing anything', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-limits-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('checks against the limits the server uses by default', () => {
    expect(MEDIA_BYTE_LIMITS).toEqual({ image: DEFAULT_TUNING.maxImageBytes, voice: DEFAULT_TUNING.maxVoiceBytes, file: DEFAULT_TUNING.maxFileBytes });
  });

  it('refuses a file, an image or a voice message one byte over, exit 2, naming its size and the limit; the outbox stays empty', async () => {
    // the profile exists and has been online: what the outbox lists afterwards is what these runs left
    const hello = await magpie(as('alice', 'send', '--to', 'bob', '--text', 'hello'));
    expect(hello.code, hello.stderr).toBe(0);

    // an image's and a voice message's first bytes say what they are, as they must to be sent at all
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const wav = new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ');
    for (const [flag, limit, extra, head] of [
      ['--file', MEDIA_BYTE_LIMITS.file, [], new Uint8Array()],
      ['--image', MEDIA_BYTE_LIMITS.image, [], png],
      ['--voice', MEDIA_BYTE_LIMITS.voice, ['--duration', '5000'], wav],
    ] as const) {
      const path = await fileOf(join(root, `over${flag}.bin`), limit + 1, head);
      const refused = await magpie(as('alice', 'send', '--to', 'bob', flag, path, ...extra));
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.lines).toEqual([]);
      const error = JSON.parse(refused.stderr.trim().split('\n').at(-1)!) as { code: number; message: string };
      expect(error.code).toBe(ErrorCode.BAD_ARGUMENT);
      expect(error.message).toContain(path);
      expect(error.message).toContain(`${limit + 1} bytes`);
      expect(error.message).toContain(`at most ${limit} bytes`);
      // no progress line: nothing was uploaded
      expect(refused.stderr).not.toContain('"progress"');
    }

    const outbox = await magpie(as('alice', 'outbox'));
    expect(outbox.code, outbox.stderr).toBe(0);
    expect(outbox.lines).toEqual([]);
    const history = await magpie(as('alice', 'history', '--with', 'bob'));
    expect(history.lines.map((line) => line['type'])).toEqual(['text']);
  }, 60_000);

  it('sends an image of exactly the limit', async () => {
    // a real PNG, padded with zeros after its end to the limit (the server reads the picture from its header)
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#345' } }).png().toBuffer();
    const path = await fileOf(join(root, 'at-limit.png'), MEDIA_BYTE_LIMITS.image, png);
    const sent = await magpie(as('carol', 'send', '--to', 'bob', '--image', path));
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.lines).toMatchObject([{ type: 'image', state: 'sent', media: { size: MEDIA_BYTE_LIMITS.image, mime: 'image/png', width: 8, height: 8 } }]);
  }, 60_000);

  it('sends a file of exactly the limit', async () => {
    const path = await fileOf(join(root, 'at-limit.bin'), MEDIA_BYTE_LIMITS.file);
    // 100 MiB through the upload: on a busy machine it outlasts the default 10 s the command waits
    const sent = await magpie(as('dave', '--timeout', '60', 'send', '--to', 'bob', '--file', path));
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.lines).toMatchObject([{ type: 'file', state: 'sent', media: { size: MEDIA_BYTE_LIMITS.file } }]);
  }, 120_000);

  it('outbox flush of an over-limit file already stored (by the app, or an earlier magpie) fails it with the server\'s FILE_TOO_LARGE, as before', async () => {
    const path = await fileOf(join(root, 'stored-over.bin'), MEDIA_BYTE_LIMITS.file + 1);
    // stored offline on erin's CLI profile by the core itself, which leaves the size to the server
    const log = pino({ level: 'silent' });
    const login = loginRequest(server.appId, { type: 'appToken', user: 'erin', token: server.appToken }, { deviceId: 'stored-offline' });
    const client = new MagpieClient({ profileDir: join(root, 'erin'), servers: ['127.0.0.1:1'], login: { ...login, appId: server.appId, user: 'erin' }, log });
    const access = createMediaAccess(client);
    const media = createMediaOutbox({ client, access, log });
    await media.send({ to: 'bob', path, kind: 'file' });
    media.dispose();
    access.dispose();
    client.close();

    expect((await magpie(as('erin', 'outbox'))).lines).toMatchObject([{ type: 'file', state: 'sending' }]);
    const flushed = await magpie(as('erin', 'outbox', 'flush'));
    expect(flushed.code, flushed.stderr).toBe(1);
    expect(flushed.lines).toMatchObject([{ type: 'file', state: 'failed', code: ErrorCode.FILE_TOO_LARGE }]);
    // failed, it stays listed until discarded
    expect((await magpie(as('erin', 'outbox'))).lines).toMatchObject([{ type: 'file', state: 'failed', code: ErrorCode.FILE_TOO_LARGE }]);
    expect((await magpie(as('erin', 'outbox', 'discard'))).code).toBe(0);
    expect((await magpie(as('erin', 'outbox'))).lines).toEqual([]);
  }, 60_000);
});
