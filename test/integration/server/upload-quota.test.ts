import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../../protocol';
import { discardUpload, uploadFile } from '../../../main/files/uploader';
import type { Tuning } from '../../../server/tuning';
import { TestClient } from '../../support/test-client';
import { openChatWorld, sessionOf, type ChatWorld, type Session } from './chat-fixture';
import { baseUrl, randomFile, raw, tempDir, tokenOf, upload } from './files-fixture';

const MIB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let world: ChatWorld | undefined;
let dir: string | undefined;
let proxy: Server | undefined;
afterEach(async () => {
  proxy?.close();
  proxy = undefined;
  await world?.close();
  world = undefined;
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = undefined;
});

async function open(tuning: Partial<Tuning>): Promise<{ clock: ManualClock; http: number }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 6, 0, 0));
  // tokens and sessions outlive the days these tests move the clock by
  world = await openChatWorld({ clock, tuning: { idleTimeoutMs: 30 * DAY, mediaTokenTtlMs: 30 * DAY, ...tuning } });
  dir = await tempDir();
  return { clock, http: world.server.httpPort };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A tus creation without a byte of content: an unfinished upload, as a client starting one leaves it. */
function start(session: Session, http: number, bytes: number, kind = 'file'): Promise<Response> {
  return raw(http, '/files/uploads', {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(bytes),
      'Upload-Metadata': `kind ${b64(kind)},filename ${b64('x.bin')}`,
      authorization: `Bearer ${tokenOf(session)}`,
    },
  });
}

async function refusal(response: Response): Promise<{ status: number; retryAfterS: number; code: number; message: string }> {
  const body = (await response.json()) as { code: number; message: string };
  return { status: response.status, retryAfterS: Number(response.headers.get('retry-after')), ...body };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('per-user upload limits', () => {
  it('refuses a user’s upload past the unfinished ones allowed at once (429, Retry-After), not another user’s; finishing or cancelling one makes room', async () => {
    const { clock, http } = await open({ maxUnfinishedUploadsPerUser: 3 });
    const alice = await world!.login('alice01');
    const bob = await world!.login('bob01');
    const firstMs = clock.now();
    const urls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await start(alice, http, 1000);
      expect(started.status).toBe(201);
      urls.push(new URL(started.headers.get('location')!, baseUrl(http)).href);
      clock.advance(60_000);
    }
    const over = await refusal(await start(alice, http, 1000));
    expect(over).toMatchObject({ status: 429, code: ErrorCode.UPLOAD_QUOTA_EXCEEDED });
    expect(over.message).toContain('3 uploads of yours are unfinished');
    // at the latest when the oldest expires (the sweep's 24 h), sooner once one finishes or is cancelled
    expect(over.message).toContain(`fits again at ${iso(firstMs + DAY)}`);
    expect(over.retryAfterS).toBe((firstMs + DAY - clock.now()) / 1000);
    // nothing was stored for the refused one
    expect(await start(bob, http, 1000).then((r) => r.status)).toBe(201);

    // finishing one: the same upload, its bytes sent
    const path = await randomFile(dir!, 'one.bin', 1000);
    await uploadFile({ baseUrl: baseUrl(http), token: () => tokenOf(alice), path, kind: 'file', resumeUrl: urls[0]! });
    const afterFinish = await start(alice, http, 1000);
    expect(afterFinish.status).toBe(201);
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(429);

    // cancelling one (tus termination): room again, and its record is gone with its bytes
    await discardUpload({ url: urls[1]!, token: tokenOf(alice) });
    expect(world!.server.server.files.records.get(urls[1]!.split('/').at(-1)!)).toBeUndefined();
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(201);
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(429);

    // left unfinished, the oldest stops counting when the sweep's time for it is up
    clock.advance(firstMs + 2 * 60_000 + DAY - clock.now());
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(201);
  });

  it('refuses a user’s upload past the bytes begun within the window, saying when it fits, and takes it once the window has moved on', async () => {
    const { clock, http } = await open({ maxFileBytes: MIB, maxImageBytes: MIB, maxVoiceBytes: MIB, maxUploadBytesPerUser: 2.5 * MIB, uploadBytesWindowMs: HOUR });
    const alice = await world!.login('alice01');
    const bob = await world!.login('bob01');
    const file = await randomFile(dir!, 'mib.bin', MIB);
    const t0 = clock.now();
    await upload(alice, http, file, 'file');
    clock.advance(10 * 60_000);
    await upload(alice, http, file, 'file');
    clock.advance(10 * 60_000);

    const over = await refusal(await start(alice, http, MIB));
    expect(over).toMatchObject({ status: 429, code: ErrorCode.UPLOAD_QUOTA_EXCEEDED });
    expect(over.message).toContain(`this one (${MIB} bytes) fits again at ${iso(t0 + HOUR)}`);
    expect(over.retryAfterS).toBe(40 * 60);
    // the client's own upload is refused the same way, at once
    await expect(upload(alice, http, file, 'file')).rejects.toMatchObject({ code: ErrorCode.UPLOAD_QUOTA_EXCEEDED });
    // what is left of the allowance is still there, and other users have their own
    expect(await start(alice, http, MIB / 2).then((r) => r.status)).toBe(201);
    await expect(upload(bob, http, file, 'file')).resolves.toMatchObject({ size: MIB });

    // a cancelled upload's bytes were begun: they count until the window passes them
    clock.advance(t0 + HOUR - 1 - clock.now());
    expect(await start(alice, http, MIB).then((r) => r.status)).toBe(429);
    clock.advance(1);
    await expect(upload(alice, http, file, 'file')).resolves.toMatchObject({ size: MIB });
  });

  it('counts per user of an app: the same user id in another app has an allowance of its own', async () => {
    const { http } = await open({ maxUnfinishedUploadsPerUser: 1 });
    const alice = await world!.login('alice01');
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(201);
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(429);
    const other = world!.server.server.identity.createApp(world!.server.accountSid, 'second app');
    const client = await TestClient.connect(world!.server.port);
    await client.hello();
    const elsewhere = sessionOf('alice01', client, await client.loginWithAppToken(other.appId, other.appToken, 'alice01'));
    try {
      expect(await start(elsewhere, http, 1000).then((r) => r.status)).toBe(201);
    } finally {
      await elsewhere.close();
    }
  });

  it('the client gives up on a quota refusal at once: one request, no retry', async () => {
    const { http } = await open({ maxUnfinishedUploadsPerUser: 1 });
    const alice = await world!.login('alice01');
    expect(await start(alice, http, 1000).then((r) => r.status)).toBe(201);
    // a plain forwarding proxy in front of the file service counts what the client sends
    const seen: string[] = [];
    proxy = createServer((req, res) => {
      seen.push(req.method ?? '');
      const out = httpRequest({ host: '127.0.0.1', port: http, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(out);
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const proxyPort = (proxy.address() as AddressInfo).port;
    const path = await randomFile(dir!, 'two.bin', 1000);
    const startedMs = Date.now();
    await expect(uploadFile({ baseUrl: baseUrl(proxyPort), token: () => tokenOf(alice), path, kind: 'file' })).rejects.toMatchObject({
      code: ErrorCode.UPLOAD_QUOTA_EXCEEDED,
      message: expect.stringContaining('fits again at'),
    });
    // its retry delays (0, 0.5 s, 2 s) would have sent more by now
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(seen).toEqual(['POST']);
    expect(Date.now() - startedMs).toBeLessThan(5_000);
  });
});
