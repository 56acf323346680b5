import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { downloadFile } from '../../../main/files/downloader';
import { createMediaAccess } from '../../../main/files/media-access';
import { createMediaOutbox } from '../../../main/files/media-outbox';
import { openClientStore, type StoredMessage } from '../../../main/store';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';
import { runSource } from '../../support/run-source';

const CHILD = join(import.meta.dirname, '../../support/media-upload-child.ts');
const LARGE = 24 * 1024 * 1024;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a media message waits in the outbox for its upload, across restarts', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('a client killed mid-upload resumes from the server\'s offset on its next start, and the message arrives once with equal bytes; a file deleted meanwhile fails with its code', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const big = randomBytes(LARGE);
    const bigPath = join(profileDir, 'big.bin');
    const gonePath = join(profileDir, 'gone.bin');
    await writeFile(bigPath, big);
    await writeFile(gonePath, randomBytes(LARGE));

    // the first run stores both messages, starts both uploads, and dies at 40% of the first
    const args = { port: server.port, appId: server.appId, appToken: server.appToken, user: 'alice', profileDir, to: 'bob', files: [bigPath, gonePath], killAt: 0.4 };
    const child = spawn(process.execPath, [...runSource(CHILD), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let killed: { killed: string; sent: number } | undefined;
    for await (const line of createInterface({ input: child.stdout })) killed = JSON.parse(line) as typeof killed;
    expect(await exited, stderr).toBe('SIGKILL');
    expect(killed!.sent).toBeGreaterThanOrEqual(LARGE * 0.4);

    // on disk: both messages still sending, each with its upload; the first has its tus URL
    const onDisk = openClientStore({ profileDir, appId: server.appId, userId: 'alice' });
    let uploadUrl: string;
    let goneId: string;
    try {
      const uploads = onDisk.uploads.due();
      expect(uploads.map((u) => u.path)).toEqual([bigPath, gonePath]);
      expect(uploads.map((u) => onDisk.messages.getByClientMsgId(u.clientMsgId)?.state)).toEqual(['sending', 'sending']);
      expect(onDisk.outbox.pending()).toEqual([]); // nothing to SEND before its file is up
      uploadUrl = uploads[0]!.uploadUrl!;
      goneId = uploads[1]!.clientMsgId;
      expect(uploadUrl).toMatch(/\/files\/uploads\/[0-9a-f]{32}$/);
    } finally {
      onDisk.close();
      await onDisk.closed;
    }
    // what the server received of it before the cut
    const uploadId = uploadUrl.split('/').at(-1)!;
    const received = (await stat(join(server.dataDir, 'files', 'partial', uploadId))).size;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(LARGE);
    await rm(gonePath);

    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    const bobAccess = createMediaAccess(bob);
    await bob.start();

    // the second run: the same profile, in this process
    const alice = await fixture.client(server, 'alice', { profileDir });
    const access = createMediaAccess(alice);
    const progress: number[] = [];
    const outbox = createMediaOutbox({ client: alice, access, log: pino({ level: 'silent' }), onProgress: (id, sent) => id === killed!.killed && progress.push(sent) });
    try {
      await alice.start();
      await eventually(() => alice.store.messages.getByClientMsgId(killed!.killed)?.state === 'sent', 30_000, () => 'the resumed message to be sent');
      await eventually(() => alice.store.messages.getByClientMsgId(goneId)?.state === 'failed', 5_000, () => 'the message of the deleted file to fail');

      // resumed, not restarted: the first byte counted is the server's offset, and the file is that upload's
      expect(progress[0]).toBeGreaterThanOrEqual(received);
      const sent = alice.store.messages.getByClientMsgId(killed!.killed)!;
      expect(sent.body.media).toMatchObject({ fileId: uploadId, size: LARGE, sha256: sha256(big) });
      expect(alice.store.uploads.get(killed!.killed)).toBeUndefined();
      expect(alice.store.outbox.get(goneId)).toMatchObject({ state: 'failed', errorCode: ErrorCode.FILE_SOURCE_MISSING });

      // bob has it exactly once, and its bytes are the file's
      await eventually(() => toBob.length >= 1, 5_000, () => 'bob to receive it');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(toBob.map((m) => m.msgId)).toEqual([sent.msgId]);
      expect(toBob[0]!.body.media).toMatchObject({ fileId: uploadId, sha256: sha256(big) });
      const grant = await bobAccess.grant();
      const dest = join(await fixture.profile(), 'got.bin');
      await downloadFile({ baseUrl: grant.baseUrl, token: () => grant.token, fileId: uploadId, dest, sha256: sha256(big) });
      expect(sha256(await readFile(dest))).toBe(sha256(big));
    } finally {
      outbox.dispose();
      access.dispose();
      bobAccess.dispose();
    }
  }, 120_000);
});
