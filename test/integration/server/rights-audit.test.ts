import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { isMessage, openChatWorld, sessionOf, type ChatWorld, type Session } from './chat-fixture';
import { randomFile, raw, sendMedia, tempDir, tokenOf, upload } from './files-fixture';

/**
 * What a user with a valid account tries on what is not theirs, against a real server: each rule
 * the docs promise (docs/protocol.md sections 7 and 10, docs/server.md "Messages and sync" and
 * "The file service") that no other test tries.
 */
let world: ChatWorld;
let dir: string;
let http: number;
beforeEach(async () => {
  world = await openChatWorld({ tuning: { requestsPerSecond: 100_000, requestBurst: 100_000 } });
  http = world.server.httpPort;
  dir = await tempDir();
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

const bearer = (session: Session) => ({ authorization: `Bearer ${tokenOf(session)}` });

async function status(session: Session, path: string, init: RequestInit = {}): Promise<{ status: number; code?: number }> {
  const answer = await raw(http, path, { ...init, headers: { ...bearer(session), ...(init.headers as Record<string, string> | undefined) } });
  const text = await answer.text();
  const code = text.startsWith('{') ? (JSON.parse(text) as { code?: number }).code : undefined;
  return code === undefined ? { status: answer.status } : { status: answer.status, code };
}

const forbidden = { status: 403, code: ErrorCode.FILE_FORBIDDEN };

async function groupOf(owner: Session, members: string[]): Promise<string> {
  const created = await owner.group({ case: 'create', value: { name: 'audit', members, mode: pb.GroupMode.PUBLIC, type: pb.GroupType.NORMAL } });
  return (created.value as pb.GroupInfo).groupId;
}

describe('rights: the file service', () => {
  it('only an upload’s creator may HEAD, PATCH or DELETE it (tus); anyone else gets FILE_FORBIDDEN', async () => {
    const alice = await world.login('alice01');
    const mallory = await world.login('mallory01');
    const cut = new AbortController();
    let url = '';
    const unfinished = upload(alice, http, await randomFile(dir, 'u.bin', 4 * 1024 * 1024), 'file', {
      chunkSize: 256 * 1024,
      onUrl: (u) => (url = u),
      onProgress: () => cut.abort(),
      signal: cut.signal,
    });
    await expect(unfinished).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    const path = new URL(url, 'http://x').pathname;
    const tus = { 'tus-resumable': '1.0.0' };
    expect(await status(mallory, path, { method: 'HEAD', headers: tus })).toMatchObject({ status: 403 });
    const patch = { method: 'PATCH', headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: Buffer.alloc(16) };
    expect(await status(mallory, path, patch)).toEqual(forbidden);
    expect(await status(mallory, path, { method: 'DELETE', headers: tus })).toEqual(forbidden);
    // the creator's upload is untouched
    const head = await raw(http, path, { method: 'HEAD', headers: { ...tus, ...bearer(alice) } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('upload-offset'))).toBeGreaterThan(0);
  });

  it('a thumbnail is no one’s but the file’s readers', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const mallory = await world.login('mallory01');
    const png = join(dir, 'p.png');
    await writeFile(png, await sharp({ create: { width: 600, height: 400, channels: 3, background: '#a73' } }).png().toBuffer());
    const file = await upload(alice, http, png, 'image');
    await sendMedia(alice, 'bob01', 1, pb.MessageType.IMAGE, file);
    const media = ((await bob.nextPush(isMessage)).item.value as pb.Message).media!;
    expect(await status(bob, `/files/${media.thumbnailId}`)).toEqual({ status: 200 });
    expect(await status(mallory, `/files/${media.thumbnailId}`)).toEqual(forbidden);
  });

  it('a group’s file: not to a member who joined after it, nor to one kicked, nor to anyone once its message is revoked', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const carol = await world.login('carol01');
    const groupId = await groupOf(alice, ['bob01', 'carol01']);
    const file = await upload(alice, http, await randomFile(dir, 'g.bin', 1000), 'file');
    const sent = await sendMedia(alice, groupId, 1, pb.MessageType.FILE, file);
    const late = await world.login('late01');
    await late.group({ case: 'join', value: { groupId } });
    expect(await status(bob, `/files/${file.fileId}`)).toEqual({ status: 200 });
    expect(await status(carol, `/files/${file.fileId}`)).toEqual({ status: 200 });
    expect(await status(late, `/files/${file.fileId}`)).toEqual(forbidden);

    await alice.group({ case: 'kick', value: { groupId, users: ['carol01'] } });
    expect(await status(carol, `/files/${file.fileId}`)).toEqual(forbidden);

    await alice.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
    expect(await status(bob, `/files/${file.fileId}`)).toEqual(forbidden);
    // the uploader keeps its own file
    expect(await status(alice, `/files/${file.fileId}`)).toEqual({ status: 200 });
  });

  it('a user of another app with the same user id reads nothing of this app’s files', async () => {
    const alice = await world.login('alice01');
    await world.login('bob01');
    const file = await upload(alice, http, await randomFile(dir, 'x.bin', 1000), 'file');
    await sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, file);
    const other = world.server.server.identity.createApp(world.server.accountSid, 'other');
    const client = await TestClient.connect(world.server.port);
    await client.hello();
    const twin = sessionOf('bob01', client, await client.loginWithAppToken(other.appId, other.appToken, 'bob01'));
    expect(await status(twin, `/files/${file.fileId}`)).toEqual(forbidden);
    const aliceTwinClient = await TestClient.connect(world.server.port);
    await aliceTwinClient.hello();
    const aliceTwin = sessionOf('alice01', aliceTwinClient, await aliceTwinClient.loginWithAppToken(other.appId, other.appToken, 'alice01'));
    expect(await status(aliceTwin, `/files/${file.fileId}`)).toEqual(forbidden);
    // nor can it send it as its own in its app
    await expect(sendMedia(aliceTwin, 'bob01', 1, pb.MessageType.FILE, file)).rejects.toMatchObject({ code: ErrorCode.UPLOAD_NOT_FOUND });
    await twin.close();
    await aliceTwin.close();
  });
});

describe('rights: messages', () => {
  it('READ, REVOKE and READERS_QUERY of a conversation not the caller’s are refused', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const mallory = await world.login('mallory01');
    const sent = await alice.text('bob01', 'private', 1);
    // read receipts into someone else's conversation
    await expect(mallory.client.ask('READ', { conversation: 'alice01', upToMsgId: sent.msgId }, 'OK')).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    await expect(mallory.client.ask('READ', { conversation: 'bob01', upToMsgId: sent.msgId }, 'OK')).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    // a one-to-one message is revoked by its sender only, not by its recipient nor a stranger
    await expect(mallory.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    await expect(bob.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });

    const groupId = await groupOf(alice, ['bob01']);
    const inGroup = await alice.text(groupId, 'members only', 2);
    await expect(mallory.client.ask('READ', { conversation: groupId, upToMsgId: inGroup.msgId }, 'OK')).rejects.toMatchObject({
      code: ErrorCode.NOT_GROUP_MEMBER,
    });
    await expect(mallory.client.ask('READERS_QUERY', { msgId: inGroup.msgId }, 'READERS')).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
  });

  it('ids are per app: a user of another app cannot name this app’s messages or groups', async () => {
    const alice = await world.login('alice01');
    await world.login('bob01');
    const sent = await alice.text('bob01', 'hi', 1);
    const groupId = await groupOf(alice, ['bob01']);
    const other = world.server.server.identity.createApp(world.server.accountSid, 'other');
    const client = await TestClient.connect(world.server.port);
    await client.hello();
    const twin = sessionOf('alice01', client, await client.loginWithAppToken(other.appId, other.appToken, 'alice01'));
    await expect(twin.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND });
    await expect(twin.client.ask('READ', { conversation: 'bob01', upToMsgId: sent.msgId }, 'OK')).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
    await expect(twin.text(groupId, 'hi', 2)).rejects.toMatchObject({ code: ErrorCode.GROUP_NOT_FOUND });
    await expect(twin.group({ case: 'join', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.GROUP_NOT_FOUND });
    await expect(twin.group({ case: 'dismiss', value: { groupId } })).rejects.toMatchObject({ code: ErrorCode.GROUP_NOT_FOUND });
    const timeline = await twin.client.ask('TIMELINE_SYNC', { cursors: [{ groupId, seq: 0n }] }, 'TIMELINE_PAGE');
    expect(timeline.slices).toEqual([]);
    const page = await twin.client.ask('SYNC', { afterSeq: 0n }, 'SYNC_PAGE');
    expect(page.entries).toEqual([]);
    await twin.close();
  });
});

describe('rights: access taken away reaches the file service', () => {
  /** Every request of the file service a user makes with its media token: download, create, resume, end. */
  async function fileServiceAnswers(session: Session, fileId: string, uploadPath: string) {
    const tus = { 'tus-resumable': '1.0.0' };
    const create = {
      method: 'POST',
      headers: { ...tus, 'upload-length': '10', 'upload-metadata': `kind ${Buffer.from('file').toString('base64')},filename ${Buffer.from('a').toString('base64')}` },
    };
    return [
      await status(session, `/files/${fileId}`),
      await status(session, uploadPath, { method: 'HEAD', headers: tus }),
      await status(session, uploadPath, { method: 'PATCH', headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: Buffer.alloc(4) }),
      await status(session, uploadPath, { method: 'DELETE', headers: tus }),
      await status(session, '/files/uploads', create),
    ];
  }

  async function unfinishedUpload(session: Session): Promise<string> {
    const answer = await raw(http, '/files/uploads', {
      method: 'POST',
      headers: { ...bearer(session), 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `kind ${Buffer.from('file').toString('base64')}` },
    });
    expect(answer.status).toBe(201);
    return new URL(answer.headers.get('location')!, 'http://x').pathname;
  }

  // a HEAD answer has no body to carry the code
  const refused = (code: number) => [{ status: 401, code }, { status: 401 }, { status: 401, code }, { status: 401, code }, { status: 401, code }];

  it('a closed sub-account’s media token is refused at once, for its own files too', async () => {
    const { server } = world.server;
    const dora = server.identity.createSubAccount(world.server.appId, 'Dora');
    const doraSession = await world.login(dora.voipAccount);
    await world.login('bob01');
    const file = await upload(doraSession, http, await randomFile(dir, 'd.bin', 1000), 'file');
    await sendMedia(doraSession, 'bob01', 1, pb.MessageType.FILE, file);
    const pending = await unfinishedUpload(doraSession);
    expect(await status(doraSession, `/files/${file.fileId}`)).toEqual({ status: 200 });

    server.access.closeSubAccount(dora.subAccountSid);
    expect(await fileServiceAnswers(doraSession, file.fileId, pending)).toEqual(refused(ErrorCode.MEDIA_TOKEN_INVALID));
    // reopened, the same token works again (it is the account that was closed, not the token)
    server.identity.reopenSubAccount(dora.subAccountSid);
    expect(await status(doraSession, `/files/${file.fileId}`)).toEqual({ status: 200 });
  });

  it('an app taken offline or deleted: its users’ media tokens are refused at once; other apps’ are not', async () => {
    const { server } = world.server;
    const alice = await world.login('alice01');
    await world.login('bob01');
    const file = await upload(alice, http, await randomFile(dir, 'a.bin', 1000), 'file');
    await sendMedia(alice, 'bob01', 1, pb.MessageType.FILE, file);
    const pending = await unfinishedUpload(alice);

    const other = server.identity.createApp(world.server.accountSid, 'other');
    const client = await TestClient.connect(world.server.port);
    await client.hello();
    const stranger = sessionOf('olga01', client, await client.loginWithAppToken(other.appId, other.appToken, 'olga01'));
    const theirs = await upload(stranger, http, await randomFile(dir, 'o.bin', 1000), 'file');

    server.access.setAppState(world.server.appId, 'offline');
    expect(await fileServiceAnswers(alice, file.fileId, pending)).toEqual(refused(ErrorCode.MEDIA_TOKEN_INVALID));
    expect(await status(stranger, `/files/${theirs.fileId}`)).toEqual({ status: 200 });

    server.access.setAppState(world.server.appId, 'online');
    expect(await status(alice, `/files/${file.fileId}`)).toEqual({ status: 200 });
    server.identity.deleteApp(world.server.appId);
    expect(await status(alice, `/files/${file.fileId}`)).toEqual({ status: 401, code: ErrorCode.MEDIA_TOKEN_INVALID });
    await stranger.close();
  });
});
