import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { buildOutgoing } from '../../../main/chat/outgoing-message';
import { createMediaAccess } from '../../../main/files/media-access';
import { uploadFile } from '../../../main/files/uploader';
import { createChatService } from '../../../main/chat/chat-service';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const MiB = 1024 * 1024;

/**
 * A file stored to send under one limit and uploaded after the server came back with a lower one:
 * the file service refuses it for its size, and the size and the limit travel as data (the error
 * body's sizeBytes and limitBytes), are kept with the outbox entry and reach the page with the
 * failed message, across a restart of the app too, so the page never reads them out of words.
 */
describe('an upload refused for its size', () => {
  const fixture = createClientFixture();
  const servers: TestServer[] = [];
  afterEach(async () => {
    await fixture.cleanup();
    for (const server of servers.splice(0).reverse()) await server.stop();
  });

  it('fails its message with the file\'s size and the limit as figures, kept across a restart', { timeout: 40_000 }, async () => {
    const first = await startTestServer({ tuning: { maxFileBytes: 2 * MiB } });
    const profileDir = await fixture.profile();
    const alice = await fixture.core(first, 'alice', { profileDir });
    // offline, a 1.5 MiB file is within the 2 MiB the server told: stored, waiting for its upload
    await first.stop({ keepData: true });
    await eventually(() => alice.states().at(-1) !== 'online', 10_000, () => 'the link to go');
    const size = 1.5 * MiB;
    const sent = await alice.call('media.send', { conversation: 'bob', kind: 'file', name: 'big.bin', bytes: Buffer.alloc(size, 3).toString('base64') });
    expect(sent).toMatchObject({ ok: true, value: { state: 'sending' } });
    const key = sent.ok ? sent.value.key : '';

    // the server comes back taking files of at most 1 MiB: the upload at login is refused
    const again = await startTestServer({ dataDir: first.dataDir, port: first.port, tuning: { maxFileBytes: MiB } });
    servers.push(again);
    const latest = () => alice.upserted().filter((m) => m.key === key).at(-1);
    await eventually(() => latest()?.state === 'failed', 20_000, () => JSON.stringify(latest()));
    expect(latest()).toMatchObject({ errorCode: ErrorCode.FILE_TOO_LARGE, errorTooLarge: { sizeBytes: size, limitBytes: MiB } });

    // the app restarts: the failed message still has its figures, from the store
    await alice.core.shutdown();
    const after = await fixture.core(again, 'alice', { profileDir });
    const page = await after.call('messages.page', { conversation: 'bob', limit: 10 });
    const failed = page.ok ? page.value.messages.find((m) => m.key === key) : undefined;
    expect(failed).toMatchObject({ state: 'failed', errorCode: ErrorCode.FILE_TOO_LARGE, errorTooLarge: { sizeBytes: size, limitBytes: MiB } });
  });

  it('a SEND the server refuses for its size (its limit lowered after the upload) fails with the figures too', { timeout: 40_000 }, async () => {
    const first = await startTestServer({ tuning: { maxFileBytes: 2 * MiB } });
    const profileDir = await fixture.profile();
    const before = await fixture.client(first, 'alice', { profileDir });
    const access = createMediaAccess(before);
    await before.start();
    const path = join(profileDir, 'done.bin');
    await writeFile(path, Buffer.alloc(1.5 * MiB, 5));
    const grant = await access.grant();
    const uploaded = await uploadFile({ baseUrl: grant.baseUrl, token: () => grant.token, path, kind: 'file' });
    access.dispose();
    before.close();
    await before.store.closed;
    await first.stop({ keepData: true });

    // the upload was taken under 2 MiB; its SEND reaches a server that now takes 1 MiB
    const again = await startTestServer({ dataDir: first.dataDir, port: first.port, tuning: { maxFileBytes: MiB } });
    servers.push(again);
    const alice = await fixture.client(again, 'alice', { profileDir, log: pino({ level: 'silent' }) });
    await alice.start();
    const media = { fileId: uploaded.fileId, name: 'done.bin', size: uploaded.size, mime: uploaded.mime };
    const draft = buildOutgoing('alice', 'bob', { kind: 'media', type: 'file', media }, Date.now());
    alice.store.outbox.enqueue({ message: draft.message, sendBody: draft.sendBody }, Date.now());
    alice.submit(draft.clientMsgId, draft.send);
    await eventually(() => alice.store.outbox.get(draft.clientMsgId)?.state === 'failed', 15_000, () => 'the SEND to be refused');
    expect(alice.store.outbox.get(draft.clientMsgId)).toMatchObject({ errorCode: ErrorCode.FILE_TOO_LARGE, errorTooLarge: { sizeBytes: 1.5 * MiB, limitBytes: MiB } });
    const view = createChatService(alice).view(alice.store.messages.getByClientMsgId(draft.clientMsgId)!);
    expect(view).toMatchObject({ state: 'failed', errorTooLarge: { sizeBytes: 1.5 * MiB, limitBytes: MiB } });
  });
});
