import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { openChatWorld, type ChatWorld, type Session } from '../server/chat-fixture';
import { download, raw, tempDir, tokenOf, upload } from '../server/files-fixture';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { CST_MINUTES, restClient, waitFor, type RestCall } from './rest-fixture';

/** A WAV file of silence: enough for the server to sniff it as audio. */
function wav(samples: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/** The app server uploads by REST, sends by file id, and a real client downloads the same bytes. */
describe('REST media: upload, then send by file id', () => {
  let world: ChatWorld;
  let call: RestCall;
  let app: string;
  let dir: string;
  let bob: Session;
  const MAX_IMAGE = 300_000;
  const BODY_LIMIT = 64 * 1024;

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { restMaxRefusals: 1_000_000, maxImageBytes: MAX_IMAGE, httpBodyLimitBytes: BODY_LIMIT } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    app = `/v1/accounts/{sid}/apps/${world.server.appId}`;
    dir = await tempDir();
    bob = await world.login('bob');
  });
  afterAll(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const uploadBytes = (query: string, bytes: Uint8Array, contentType = 'application/octet-stream') =>
    call('POST', `${app}/files?${query}`, undefined, { raw: new Uint8Array(bytes), headers: { 'content-type': contentType } });

  async function receivedBy(session: Session, fileId: string): Promise<pb.Message> {
    const entry = await session.nextPush((e) => e.item.case === 'message' && e.item.value.media?.fileId === fileId);
    return entry.item.value as pb.Message;
  }

  it('an image uploaded as alice and sent as alice reaches bob, who downloads the same bytes; others cannot', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c33' } }).png().toBuffer();
    const uploaded = await uploadBytes('kind=image&from=alice&name=red.png', png, 'image/png');
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.json).toMatchObject({ kind: 'image', owner: 'alice', name: 'red.png', size: png.length, mime: 'image/png', width: 640, height: 480 });
    const { fileId } = uploaded.json as { fileId: string };

    const sent = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'image', media: { fileId } } });
    expect(sent.status, sent.text).toBe(200);
    const message = await receivedBy(bob, fileId);
    expect(message).toMatchObject({ from: 'alice', type: pb.MessageType.IMAGE });
    expect(message.media).toMatchObject({ name: 'red.png', size: BigInt(png.length), mime: 'image/png', width: 640, height: 480, sha256: uploaded.json.sha256 });
    expect(message.media?.thumbnailId).toBe(`${fileId}.thumb`);

    const dest = join(dir, 'red.png');
    await download(bob, world.server.httpPort, fileId, dest, message.media!.sha256);
    expect(Buffer.compare(await readFile(dest), png)).toBe(0);

    const mallory = await world.login('mallory');
    const stranger = await raw(world.server.httpPort, `/files/${fileId}`, { headers: { authorization: `Bearer ${tokenOf(mallory)}` } });
    expect(stranger.status).toBe(403);
    // someone else (the system sender) may not send alice's upload either
    const notYours = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'image', media: { fileId } } });
    expect([notYours.status, notYours.json.error.code]).toEqual([404, ErrorCode.UPLOAD_NOT_FOUND]);
  });

  it('a file and a voice message as the app system sender, a voice needing its duration', async () => {
    // larger than the JSON body limit: the upload is streamed to disk, not parsed as a body
    const bytes = new TextEncoder().encode('quarterly report\n'.repeat(12_000));
    expect(bytes.length).toBeGreaterThan(BODY_LIMIT);
    const file = await uploadBytes('kind=file&name=report.txt', bytes);
    expect(file.status, file.text).toBe(201);
    expect(file.json.owner).toBe('system');
    expect((await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'file', media: { fileId: file.json.fileId } } })).status).toBe(200);
    const fileMessage = await receivedBy(bob, file.json.fileId as string);
    expect(fileMessage).toMatchObject({ from: 'system', type: pb.MessageType.FILE });
    const dest = join(dir, 'report.txt');
    await download(bob, world.server.httpPort, file.json.fileId as string, dest);
    expect(Buffer.compare(await readFile(dest), Buffer.from(bytes))).toBe(0);

    const voice = await uploadBytes('kind=voice', wav(8000));
    expect(voice.status, voice.text).toBe(201);
    expect(voice.json.mime).toMatch(/^audio\//);
    const noDuration = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'voice', media: { fileId: voice.json.fileId } } });
    expect([noDuration.status, noDuration.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(noDuration.json.error.message).toMatch(/^body\/message\/media\/durationMs is required for a voice message/);
    const withDuration = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'voice', media: { fileId: voice.json.fileId, durationMs: 1000 } } });
    expect(withDuration.status, withDuration.text).toBe(200);
    expect((await receivedBy(bob, voice.json.fileId as string)).media?.durationMs).toBe(1000);
  });

  it('broadcasts an uploaded file to a list: each recipient may download it', async () => {
    const bytes = new TextEncoder().encode('to everyone on the list\n'.repeat(50));
    const file = await uploadBytes('kind=file&name=notice.txt', bytes);
    expect(file.status, file.text).toBe(201);
    const carol = await world.login('carol');
    const job = await call('POST', `${app}/broadcasts`, { to: ['bob', 'carol'], message: { type: 'file', media: { fileId: file.json.fileId } } });
    expect(job.status, job.text).toBe(202);
    for (const session of [bob, carol]) {
      const message = await receivedBy(session, file.json.fileId as string);
      const dest = join(dir, `notice-${session.userId}.txt`);
      await download(session, world.server.httpPort, message.media!.fileId, dest);
      expect(Buffer.compare(await readFile(dest), Buffer.from(bytes))).toBe(0);
    }
    const foreign = await call('POST', `${app}/broadcasts`, { from: 'alice', to: ['bob'], message: { type: 'file', media: { fileId: file.json.fileId } } });
    expect([foreign.status, foreign.json.error.code]).toEqual([404, ErrorCode.UPLOAD_NOT_FOUND]);
  });

  it('refuses an oversize upload with FILE_TOO_LARGE, bytes that are not of the kind, another account, and a cut body, storing nothing', async () => {
    const uploads = () => (world.server.server.db.prepare('SELECT COUNT(*) AS n FROM uploads').get() as { n: number }).n;
    const before = uploads();
    const big = await uploadBytes('kind=image&from=alice', new Uint8Array(MAX_IMAGE + 1));
    expect([big.status, big.json.error.code]).toEqual([413, ErrorCode.FILE_TOO_LARGE]);
    const notImage = await uploadBytes('kind=image&from=alice', new TextEncoder().encode('plain text, not a picture'));
    expect([notImage.status, notImage.json.error.code]).toEqual([415, ErrorCode.FILE_TYPE_REFUSED]);
    // an empty body, or one with no Content-Length (chunked), is told so in REST's terms, not as too large
    const empty = await uploadBytes('kind=file&from=alice', new Uint8Array(0));
    expect([empty.status, empty.json.error.code, empty.json.error.message]).toEqual([400, ErrorCode.UPLOAD_MISMATCH, expect.stringContaining('empty')]);
    const chunked = await new Promise<{ status: number; json: { error: { code: number; message: string } } }>((resolve, reject) => {
      const timestamp = formatCompactTimestamp(Date.now(), CST_MINUTES);
      const { accountSid, authToken, appId, httpPort } = world.server;
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: httpPort,
          method: 'POST',
          path: `/v1/accounts/${accountSid}/apps/${appId}/files?kind=file&nonce=chunked&sig=${restSignature(accountSid, authToken, timestamp)}`,
          headers: { authorization: restAuthorization(accountSid, timestamp), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      request.on('error', reject);
      request.end(Buffer.alloc(10));
    });
    expect([chunked.status, chunked.json.error.code, chunked.json.error.message]).toEqual([400, ErrorCode.UPLOAD_MISMATCH, expect.stringContaining('Content-Length')]);
    const other = world.server.server.identity.createAccount();
    const asOther = restClient(`http://127.0.0.1:${world.server.httpPort}`, other.accountSid, other.authToken);
    const foreign = await asOther('POST', `/v1/accounts/{sid}/apps/${world.server.appId}/files?kind=file`, undefined, {
      raw: new Uint8Array(10),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect([foreign.status, foreign.json.error.code]).toEqual([403, ErrorCode.REST_FORBIDDEN]);
    // a body cut off halfway: nothing kept, not even the staging file
    const timestamp = formatCompactTimestamp(Date.now(), CST_MINUTES);
    const { accountSid, authToken, appId, httpPort } = world.server;
    const cut = httpRequest({
      host: '127.0.0.1',
      port: httpPort,
      method: 'POST',
      path: `/v1/accounts/${accountSid}/apps/${appId}/files?kind=file&sig=${restSignature(accountSid, authToken, timestamp)}`,
      headers: { authorization: restAuthorization(accountSid, timestamp), 'content-type': 'application/octet-stream', 'content-length': '100000' },
    });
    cut.on('error', () => undefined);
    cut.write(Buffer.alloc(1000));
    await waitFor(() => uploads() > before, 5_000, 'the upload to start');
    cut.destroy();
    await waitFor(() => uploads() === before, 5_000, 'the cut upload to be removed');
    await waitFor(async () => (await readdir(join(world.server.dataDir, 'files', 'direct'))).length === 0, 5_000, 'no staging file');
    const unknown = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'image', media: { fileId: 'f'.repeat(32) } } });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, ErrorCode.UPLOAD_NOT_FOUND]);
  });

  it('refuses a file name holding a control character, by REST, by tus and in a message, which receivers could not save', async () => {
    for (const name of ['nul\u0000.txt', 'two\nlines.txt']) {
      const refused = await uploadBytes(`kind=file&from=alice&name=${encodeURIComponent(name)}`, new Uint8Array(10));
      expect([refused.status, refused.json.error.code]).toEqual([400, ErrorCode.UPLOAD_MISMATCH]);
    }
    await writeFile(join(dir, 'plain.bin'), 'some bytes');
    await expect(upload(bob, world.server.httpPort, join(dir, 'plain.bin'), 'file', { name: 'bell\u0007.bin' })).rejects.toMatchObject({
      code: ErrorCode.UPLOAD_MISMATCH,
    });
    const fine = await uploadBytes('kind=file&from=alice&name=ok.txt', new Uint8Array(10));
    const renamed = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'file', media: { fileId: fine.json.fileId, name: 'esc\u001b.txt' } } });
    expect([renamed.status, renamed.json.error.code]).toEqual([400, ErrorCode.INVALID_MESSAGE]);
  });

  it('sweeps what a crash left of a REST upload: its unfinished record and staging file', async () => {
    const { server, appId, dataDir } = world.server;
    const fileId = 'ab'.repeat(16);
    server.files.records.insert({ fileId, appId, owner: 'alice', kind: 3, name: '', declaredSize: 10, createdMs: 0 });
    const staged = join(dataDir, 'files', 'direct', fileId);
    await mkdir(join(dataDir, 'files', 'direct'), { recursive: true });
    await writeFile(staged, 'half');
    await server.files.sweeper.sweep();
    expect(server.files.records.get(fileId)).toBeUndefined();
    await expect(readFile(staged)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
