import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { DEFAULT_SERVER_LIMITS, ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const MiB = 1024 * 1024;
/** A server tuned away from every default its clients check. */
const TUNED = { revokeWindowMs: 5_000, maxImageBytes: 3 * MiB, maxVoiceBytes: 512 * 1024, maxFileBytes: MiB, maxVoiceDurationMs: 30_000 };

describe('a server tuned to other limits tells its clients at login, and they use them', () => {
  let server: TestServer;
  let root: string;
  const fixture = createClientFixture();
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer({ tuning: TUNED });
    root = await mkdtemp(join(tmpdir(), 'magpie-server-limits-'));
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it("the client core reports the server's revoke window, upload sizes and voice length once logged in", async () => {
    const login = loginRequest(server.appId, { type: 'appToken', user: 'alice', token: server.appToken }, { deviceId: 'limits-test' });
    const client = new MagpieClient({ profileDir: join(root, 'core-alice'), servers: [`127.0.0.1:${server.port}`], login: { ...login, appId: server.appId, user: 'alice' }, log: pino({ level: 'silent' }) });
    try {
      // before any login: the defaults
      expect(client.serverLimits).toEqual(DEFAULT_SERVER_LIMITS);
      await client.start();
      expect(client.serverLimits).toEqual({ revokeWindowMs: 5_000, mediaBytes: { image: 3 * MiB, voice: 512 * 1024, file: MiB }, maxVoiceDurationMs: 30_000 });
    } finally {
      client.close();
    }
  });

  it('the desktop core hands them to the page: the session, the connection and its online event carry them', async () => {
    const told = { revokeWindowMs: 5_000, mediaBytes: { image: 3 * MiB, voice: 512 * 1024, file: MiB }, maxVoiceDurationMs: 30_000 };
    const alice = await fixture.core(server, 'alice-desk');
    expect(await alice.call('session.restore', {})).toMatchObject({ ok: true, value: { userId: 'alice-desk', limits: told } });
    expect(await alice.call('session.connection', {})).toMatchObject({ ok: true, value: { state: 'online', limits: told } });
    const online = alice.events.filter((e) => e.event === 'connection.state').map((e) => e.payload as { state: string; limits?: unknown });
    expect(online.filter((info) => info.state === 'online').at(-1)?.limits).toEqual(told);
  });

  it("the desktop core refuses a voice recording over the server's voice limit before storing it, FILE_TOO_LARGE", async () => {
    const frank = await fixture.core(server, 'frank-desk');
    // audio by its first bytes (a WAV's), so only its size is wrong
    const bytes = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(512 * 1024 + 1 - 16, 7)]).toString('base64');
    const refused = await frank.call('media.send', { conversation: 'carol', kind: 'voice', name: 'voice.webm', bytes, durationMs: 5_000 });
    expect(refused).toEqual({ ok: false, error: { code: ErrorCode.FILE_TOO_LARGE, message: `a voice message of ${512 * 1024 + 1} bytes: the server takes at most ${512 * 1024} bytes` } });
    // no message, no bubble, nothing in the outbox to fail at its upload
    expect(frank.upserted()).toEqual([]);
    expect(await frank.call('messages.page', { conversation: 'carol', limit: 10 })).toMatchObject({ ok: true, value: { messages: [] } });
  });

  it("the desktop core refuses an image or a file over the server's limit for its kind before storing it, FILE_TOO_LARGE", async () => {
    const henry = await fixture.core(server, 'henry-desk');
    const over = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
    // a PNG by its first bytes, so it goes as an image and only its size is wrong
    const png = (bytes: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(bytes - 8, 7)]).toString('base64');
    // 3 MiB + 1 and 1 MiB + 1: well under the page's own 16 MiB, over what this server takes
    const image = await henry.call('media.send', { conversation: 'carol', kind: 'image', name: 'photo.png', bytes: png(3 * MiB + 1) });
    expect(image).toEqual({ ok: false, error: { code: ErrorCode.FILE_TOO_LARGE, message: `an image of ${3 * MiB + 1} bytes: the server takes at most ${3 * MiB} bytes` } });
    const file = await henry.call('media.send', { conversation: 'carol', kind: 'file', name: 'notes.bin', bytes: over(MiB + 1) });
    expect(file).toEqual({ ok: false, error: { code: ErrorCode.FILE_TOO_LARGE, message: `a file of ${MiB + 1} bytes: the server takes at most ${MiB} bytes` } });
    expect(henry.upserted()).toEqual([]);
    expect(await henry.call('messages.page', { conversation: 'carol', limit: 10 })).toMatchObject({ ok: true, value: { messages: [] } });
    // at the limit it is stored and uploaded: the server takes it
    const atLimit = await henry.call('media.send', { conversation: 'carol', kind: 'file', name: 'notes.bin', bytes: over(MiB) });
    expect(atLimit).toMatchObject({ ok: true, value: { kind: 'file', media: { size: MiB } } });
    await eventually(() => henry.upserted().some((m) => m.kind === 'file' && m.state === 'sent'), 15_000, () => JSON.stringify(henry.upserted().map((m) => m.state)));
  }, 30_000);

  it("the CLI refuses a 2 MiB file upfront with the server's 1 MiB in the message, exit 2, and stores nothing", async () => {
    const path = join(root, 'two-mib.bin');
    await writeFile(path, new Uint8Array());
    await truncate(path, 2 * MiB);
    const refused = await magpie(as('bob', 'send', '--to', 'carol', '--file', path));
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.lines).toEqual([]);
    const error = JSON.parse(refused.stderr.trim().split('\n').at(-1)!) as { code: number; message: string };
    expect(error.code).toBe(ErrorCode.BAD_ARGUMENT);
    expect(error.message).toBe(`cannot send ${path}: the file is ${2 * MiB} bytes (2 MiB); the server takes a file of at most ${MiB} bytes (1 MiB)`);
    // nothing was uploaded or stored
    expect(refused.stderr).not.toContain('"progress"');
    expect((await magpie(as('bob', 'outbox'))).lines).toEqual([]);
  }, 60_000);

  it('the CLI refuses a voice message longer than the server takes, before storing it', async () => {
    // audio by its first bytes (a WAV's), so only its length is wrong
    const path = join(root, 'voice.wav');
    await writeFile(path, Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(1024)]));
    const refused = await magpie(as('dave', 'send', '--to', 'carol', '--voice', path, '--duration', '45000'));
    expect(refused.code, refused.stderr).toBe(2);
    const error = JSON.parse(refused.stderr.trim().split('\n').at(-1)!) as { code: number; message: string };
    expect(error).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: `cannot send ${path}: --duration is 45000 ms; the server takes a voice message of at most 30000 ms` });
    expect((await magpie(as('dave', 'outbox'))).lines).toEqual([]);
  }, 60_000);

  it('the CLI sends a file over the default limit to a server that takes more', async () => {
    // not this server: one whose file limit is above the 100 MiB default takes 100 MiB + 1 from magpie
    const roomy = await startTestServer({ tuning: { maxFileBytes: 100 * MiB + 2 } });
    try {
      const path = join(root, 'over-default.bin');
      await writeFile(path, new Uint8Array());
      await truncate(path, 100 * MiB + 1);
      const sent = await magpie([...cliLoginArgs(roomy, root, 'erin'), 'send', '--to', 'bob', '--file', path]);
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.lines).toMatchObject([{ type: 'file', state: 'sent', media: { size: 100 * MiB + 1 } }]);
    } finally {
      await roomy.stop();
    }
  }, 120_000);
});
