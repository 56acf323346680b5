import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { sessionOf, type Session } from './chat-fixture';
import { randomFile, sendMedia, tempDir, upload } from './files-fixture';

const MIB = 1024 * 1024;

async function login(server: TestServer, userId: string): Promise<Session> {
  const client = await TestClient.connect(server.port);
  await client.hello();
  return sessionOf(userId, client, await client.loginWithAppToken(server.appId, server.appToken, userId));
}

/**
 * The operator restarts the server with a lower file limit. An upload made (or begun) under the
 * old limit was still taken: its PATCHes went on and its SEND was stored, a 2 MiB file under a
 * 1 MiB limit. The limit in force now decides, as it does for a voice message's length.
 */
describe('a server restarted with a lower media limit', () => {
  let server: TestServer | undefined;
  const sessions: Session[] = [];
  let dir: string | undefined;

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('refuses the SEND of a file over it and the rest of an upload over it with FILE_TOO_LARGE, and takes a file under it', { timeout: 60_000 }, async () => {
    dir = await tempDir();
    server = await startTestServer();
    const before = await login(server, 'alice01');
    sessions.push(before);
    const done = await upload(before, server.httpPort, await randomFile(dir, 'done.bin', 2 * MIB), 'file');
    let cutUrl = '';
    const cut = new AbortController();
    const cutPath = await randomFile(dir, 'cut.bin', 2 * MIB);
    await expect(
      upload(before, server.httpPort, cutPath, 'file', {
        chunkSize: 256 * 1024,
        onUrl: (url) => (cutUrl = url),
        onProgress: (sent) => {
          if (sent >= MIB / 2) cut.abort();
        },
        signal: cut.signal,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await server.stop({ keepData: true });

    server = await startTestServer({ dataDir: server.dataDir, tuning: { maxFileBytes: MIB } });
    const alice = await login(server, 'alice01');
    sessions.push(alice);
    // the size and the limit also come as data: the ERROR frame's size_bytes and limit_bytes
    await expect(sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, done)).rejects.toMatchObject({
      code: ErrorCode.FILE_TOO_LARGE,
      message: expect.stringContaining(String(MIB)),
      tooLarge: { sizeBytes: 2 * MIB, limitBytes: MIB },
    });
    // the same upload on the restarted server (its HTTP port is another)
    const resumeUrl = new URL(new URL(cutUrl).pathname, `http://127.0.0.1:${server.httpPort}`).href;
    // and so in the file service's JSON body (sizeBytes, limitBytes), as the uploader reads it
    await expect(upload(alice, server.httpPort, cutPath, 'file', { resumeUrl, chunkSize: 256 * 1024 })).rejects.toMatchObject({
      code: ErrorCode.FILE_TOO_LARGE,
      tooLarge: { sizeBytes: 2 * MIB, limitBytes: MIB },
    });

    const small = await upload(alice, server.httpPort, await randomFile(dir, 'small.bin', MIB / 2), 'file');
    await expect(sendMedia(alice, 'bob01', 2, pb.MessageType.FILE, small)).resolves.toMatchObject({ msgId: expect.any(BigInt) });
  });
});
