import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { createMediaAccess } from '../../../main/files/media-access';
import { createMediaOutbox } from '../../../main/files/media-outbox';
import type { StoredMessage } from '../../../main/store';
import { messageKey } from '../../../main/views/message-view';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cancelling a media message mid-upload, and how many uploads run at once. */
describe('the media outbox under the user\'s control', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('cancelling a message mid-upload stops its upload, the server drops the partial file, the copy goes and nothing is sent', async () => {
    server = await startTestServer();
    const size = 24 * 1024 * 1024;
    const profileDir = await fixture.profile();
    const path = join(profileDir, 'copy.bin');
    await writeFile(path, randomBytes(size));

    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    await bob.start();
    const alice = await fixture.client(server, 'alice', { profileDir });
    const mediaAccess = createMediaAccess(alice);
    const chat = createChatService(alice);
    const progress: number[] = [];
    let key = '';
    let cancelled = -1;
    const outbox = createMediaOutbox({
      client: alice,
      access: mediaAccess,
      log: pino({ level: 'silent' }),
      onProgress: (_id, sent) => {
        progress.push(sent);
        // cancelled as soon as bytes flow, well before the end
        if (cancelled < 0 && sent > 0) {
          cancelled = sent;
          setImmediate(() => chat.cancel(key));
        }
      },
    });
    try {
      await alice.start();
      const sent = await outbox.send({ to: 'bob', path, kind: 'file', owned: true });
      const stored = alice.store.messages.getByClientMsgId(sent.clientMsgId!)!;
      key = messageKey(stored);
      await eventually(() => cancelled >= 0, 10_000, () => 'the upload to start');
      const uploadUrl = await (async () => {
        await eventually(() => alice.store.uploads.get(sent.clientMsgId!)?.uploadUrl != null || alice.store.uploads.get(sent.clientMsgId!) === undefined, 5_000);
        return alice.store.uploads.get(sent.clientMsgId!)?.uploadUrl;
      })();
      await outbox.settled(sent.clientMsgId!);
      const seen = progress.length;
      await pause(500);

      // no byte counted after the cancel settled, and never the whole file
      expect(progress.length).toBe(seen);
      expect(Math.max(...progress)).toBeLessThan(size);
      // the message is withdrawn (hidden, never sent), its outbox row and upload gone; so is the profile's copy
      expect(alice.store.messages.getByClientMsgId(sent.clientMsgId!)).toMatchObject({ state: 'sending', msgId: null });
      expect(alice.store.messages.page('bob', 10).map((m) => m.clientMsgId)).not.toContain(sent.clientMsgId);
      expect(alice.store.outbox.get(sent.clientMsgId!)).toBeUndefined();
      expect(alice.store.uploads.get(sent.clientMsgId!)).toBeUndefined();
      await eventually(() => !existsSync(path), 5_000, () => 'the outgoing copy to be removed');
      // the server was told to drop what it had (tus termination)
      if (uploadUrl) {
        const partial = join(server.dataDir, 'files', 'partial', uploadUrl.split('/').at(-1)!);
        await eventually(() => !existsSync(partial), 5_000, () => 'the server\'s partial file to be removed');
      }
      expect(toBob).toEqual([]);
    } finally {
      outbox.dispose();
      mediaAccess.dispose();
    }
  }, 60_000);

  it('cancelling a message whose upload is not running (stopped mid-way) drops the server\'s partial file too', async () => {
    server = await startTestServer();
    const size = 24 * 1024 * 1024;
    const profileDir = await fixture.profile();
    const path = join(profileDir, 'big.bin');
    await writeFile(path, randomBytes(size));
    const alice = await fixture.client(server, 'alice', { profileDir });
    const mediaAccess = createMediaAccess(alice);
    const chat = createChatService(alice);
    let stopAt = -1;
    const first = createMediaOutbox({
      client: alice,
      access: mediaAccess,
      log: pino({ level: 'silent' }),
      onProgress: (_id, sent) => {
        if (stopAt < 0 && sent > 0) stopAt = sent;
      },
    });
    let second: ReturnType<typeof createMediaOutbox> | undefined;
    try {
      await alice.start();
      const sent = await first.send({ to: 'bob', path, kind: 'file' });
      const id = sent.clientMsgId!;
      await eventually(() => stopAt >= 0 && alice.store.uploads.get(id)?.uploadUrl != null, 10_000, () => 'the upload to start');
      // the session's uploads stop (as at logout): kept sending, its URL kept, part of it on the server
      first.dispose();
      await first.settled(id);
      const url = alice.store.uploads.get(id)!.uploadUrl!;
      const partial = join(server.dataDir, 'files', 'partial', url.split('/').at(-1)!);
      expect(existsSync(partial)).toBe(true);
      // an outbox with nothing running for it (no login since): the cancel still reaches the server
      second = createMediaOutbox({ client: alice, access: mediaAccess, log: pino({ level: 'silent' }) });
      chat.cancel(messageKey(alice.store.messages.getByClientMsgId(id)!));
      await eventually(() => !existsSync(partial), 5_000, () => 'the server\'s partial file to be removed');
      expect(existsSync(path)).toBe(true); // the user's own file is not ours to remove
    } finally {
      first.dispose();
      second?.dispose();
      mediaAccess.dispose();
    }
  }, 60_000);

  it('runs at most two uploads at once; the others wait and start in the order they were sent (as near as their first bytes show)', async () => {
    server = await startTestServer();
    const size = 6 * 1024 * 1024;
    const profileDir = await fixture.profile();
    const paths = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const path = join(profileDir, `f${i}.bin`);
        await writeFile(path, randomBytes(size));
        return path;
      }),
    );
    const alice = await fixture.client(server, 'alice', { profileDir });
    const mediaAccess = createMediaAccess(alice);
    const active = new Set<string>();
    const firstSeen: string[] = [];
    let most = 0;
    const outbox = createMediaOutbox({
      client: alice,
      access: mediaAccess,
      log: pino({ level: 'silent' }),
      onProgress: (id, sent, total) => {
        if (!firstSeen.includes(id)) firstSeen.push(id);
        if (sent < total) active.add(id);
        else active.delete(id);
        most = Math.max(most, active.size);
      },
    });
    // an upload that ended is no longer running, whatever its last progress said
    alice.events.on('outgoing', (m) => m.clientMsgId && active.delete(m.clientMsgId));
    try {
      await alice.start();
      const ids: string[] = [];
      for (const path of paths) ids.push((await outbox.send({ to: 'bob', path, kind: 'file' })).clientMsgId!);
      await eventually(() => ids.every((id) => alice.store.messages.getByClientMsgId(id)?.state === 'sent'), 60_000, () => 'all five to be sent');
      expect(alice.tuning.maxUploadsAtOnce).toBe(2);
      expect(most).toBeLessThanOrEqual(2);
      // they start in the order sent; two started together may report their first byte either way round
      expect(firstSeen).toHaveLength(ids.length);
      ids.forEach((id, i) => expect(Math.abs(firstSeen.indexOf(id) - i), `upload ${i} started out of turn: ${firstSeen.map((f) => ids.indexOf(f)).join(',')}`).toBeLessThanOrEqual(1));
    } finally {
      outbox.dispose();
      mediaAccess.dispose();
    }
  }, 90_000);

  it('sends several files in one conversation in the order sent, though a later, smaller one finishes its upload first; other conversations do not wait', async () => {
    server = await startTestServer();
    const profileDir = await fixture.profile();
    const paths = await Promise.all(
      [12 * 1024 * 1024, 1024, 2048].map(async (size, i) => {
        const path = join(profileDir, `o${i}.bin`);
        await writeFile(path, randomBytes(size));
        return path;
      }),
    );
    const small = join(profileDir, 'to-carol.bin');
    await writeFile(small, randomBytes(512));
    const bob = await fixture.client(server, 'bob');
    const toBob: StoredMessage[] = [];
    bob.events.on('ingested', (result) => toBob.push(...result.messages));
    await bob.start();
    const alice = await fixture.client(server, 'alice', { profileDir });
    const mediaAccess = createMediaAccess(alice);
    const outbox = createMediaOutbox({ client: alice, access: mediaAccess, log: pino({ level: 'silent' }) });
    const sentOrder: string[] = [];
    alice.events.on('outgoing', (m) => m.clientMsgId && m.state === 'sent' && !sentOrder.includes(m.clientMsgId) && sentOrder.push(m.clientMsgId));
    try {
      await alice.start();
      const ids: string[] = [];
      // the big one and the next take the two upload slots; the third waits for a slot
      for (const path of paths) ids.push((await outbox.send({ to: 'bob', path, kind: 'file' })).clientMsgId!);
      const toCarol = (await outbox.send({ to: 'carol', path: small, kind: 'file' })).clientMsgId!;
      await eventually(() => toBob.length === 3, 60_000, () => `three files at bob, got ${toBob.length}`);
      // bob has them in the order alice sent them, by seq
      const bySeq = [...toBob].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      expect(bySeq.map((m) => m.msgId)).toEqual(ids.map((id) => alice.store.messages.getByClientMsgId(id)?.msgId));
      await eventually(() => sentOrder.includes(toCarol), 60_000, () => 'the file to carol to be sent');
      expect(sentOrder.filter((id) => ids.includes(id))).toEqual(ids);
      // the small file to carol went while bob's big one still uploaded: a message waiting for its
      // turn in one conversation holds no upload slot
      expect(sentOrder.indexOf(toCarol)).toBeLessThan(sentOrder.indexOf(ids[0]!));
    } finally {
      outbox.dispose();
      mediaAccess.dispose();
    }
  }, 90_000);
});
