import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isMagpieError, pb } from '../../../protocol';
import { CONTENT_LIMITS as L } from '../../../server/chat/content-limits';
import type { RestCall } from '../rest/rest-fixture';
import type { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/** A message over REST, and the same content in a client's SEND. */
interface Content {
  readonly to?: string;
  readonly rest: Record<string, unknown>;
  readonly wire: Record<string, unknown>;
}

/**
 * Each bound of a message's content, just at it and just past it: REST takes what a client's SEND
 * takes and refuses, as 400 REST_BAD_REQUEST naming the field, what SEND refuses.
 */
describe('REST takes exactly the message content the wire takes', () => {
  let server: TestServer;
  let call: RestCall;
  let alice: TestClient;
  let aliceId: string;
  let fixture: RestAndWire;
  let group: string;
  let n = 0;

  beforeAll(async () => {
    fixture = await startRestAndWire({ tuning: { restMaxRefusals: 1_000_000 } });
    ({ server, call, alice, aliceId } = fixture);
    const created = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/groups`, {
      owner: aliceId,
      name: 'limits',
      members: Array.from({ length: L.maxMentions + 1 }, (_, i) => `user${i}`),
    });
    expect(created.status, created.text).toBe(201);
    group = created.json.groupId as string;
  });
  afterAll(async () => {
    await fixture.stop();
  });

  const custom = (command: string, payload: Uint8Array | string) => ({
    rest: { type: 'custom', custom: typeof payload === 'string' ? { command, payload } : { command, payloadBase64: Buffer.from(payload).toString('base64') } },
    wire: { type: pb.MessageType.CUSTOM, custom: { command, payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, silent: false, transient: false } },
  });
  const mentions = (count: number) => {
    const users = Array.from({ length: count }, (_, i) => `user${i}`);
    return { to: '', rest: { type: 'text', text: 'hi all', mentions: users }, wire: { type: pb.MessageType.TEXT, text: 'hi all', mentions: users } };
  };
  const media = (type: 'file' | 'voice', fields: { fileId: string; name?: string; durationMs?: number }) => ({
    rest: { type, media: fields },
    wire: {
      type: type === 'file' ? pb.MessageType.FILE : pb.MessageType.VOICE,
      media: { fileId: fields.fileId, name: fields.name ?? '', size: 10n, durationMs: fields.durationMs ?? 0 },
    },
  });
  const bytes = (count: number) => new Uint8Array(count).fill(7);

  /** [field, content at the bound, content past it] */
  const bounds: [string, Content, Content][] = [
    ['custom/command', custom('c'.repeat(L.maxCommandChars), '{}'), custom('c'.repeat(L.maxCommandChars + 1), '{}')],
    ['custom/command', custom('中'.repeat(L.maxCommandChars), '{}'), custom('中'.repeat(L.maxCommandChars + 1), '{}')],
    ['custom/payload', custom('c', 'p'.repeat(L.maxCustomPayloadBytes)), custom('c', 'p'.repeat(L.maxCustomPayloadBytes + 1))],
    // a character of three UTF-8 bytes: the bound is in bytes, as SEND stores them
    ['custom/payload', custom('c', '中'.repeat(L.maxCustomPayloadBytes / 4)), custom('c', '中'.repeat(Math.floor(L.maxCustomPayloadBytes / 3) + 1))],
    ['custom/payloadBase64', custom('c', bytes(L.maxCustomPayloadBytes)), custom('c', bytes(L.maxCustomPayloadBytes + 1))],
    ['mentions', mentions(L.maxMentions), mentions(L.maxMentions + 1)],
    ['media/name', media('file', { fileId: 'f1', name: 'n'.repeat(L.maxFileNameChars) }), media('file', { fileId: 'f1', name: 'n'.repeat(L.maxFileNameChars + 1) })],
    ['media/fileId', media('file', { fileId: 'f'.repeat(L.maxFileIdChars) }), media('file', { fileId: 'f'.repeat(L.maxFileIdChars + 1) })],
    [
      'media/durationMs',
      media('voice', { fileId: 'v1', durationMs: L.maxVoiceDurationMs }),
      media('voice', { fileId: 'v1', durationMs: L.maxVoiceDurationMs + 1 }),
    ],
    ['media/durationMs', media('voice', { fileId: 'v1', durationMs: 1 }), media('voice', { fileId: 'v1' })],
  ];

  const toOf = (content: Content): string => (content.to === '' ? group : 'bob01');
  const restSend = (content: Content) => call('POST', `/v1/accounts/{sid}/apps/${server.appId}/messages`, { from: aliceId, to: toOf(content), message: content.rest });
  const wireSend = (content: Content) =>
    alice
      .ask('SEND', { clientMsgId: new TextEncoder().encode(`limits-${String(++n).padStart(6, '0')}`), to: toOf(content), ...content.wire }, 'SENT')
      .then(
        () => 'sent',
        (error: unknown) => (isMagpieError(error) ? error.code : error),
      );
  /** Codes that come after the content was taken: the file is not the sender's upload. */
  const contentTaken: unknown[] = [ErrorCode.UPLOAD_NOT_FOUND, ErrorCode.MEDIA_UNAVAILABLE];

  it.each(bounds.map((bound, i) => [i, ...bound] as const))('#%i %s: at the bound taken by both, past it refused by both, over REST as 400 naming it', async (_i, field, at, past) => {
    const wireAt = await wireSend(at);
    const wirePast = await wireSend(past);
    expect(wireAt === 'sent' || contentTaken.includes(wireAt), String(wireAt)).toBe(true);
    expect([ErrorCode.INVALID_MESSAGE, ErrorCode.PAYLOAD_TOO_LARGE]).toContain(wirePast);

    const restAt = await restSend(at);
    expect(restAt.status === 200 || contentTaken.includes(restAt.json?.error?.code), restAt.text.slice(0, 300)).toBe(true);
    const stored = async () => ((await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=${aliceId}`)).json.messages as unknown[]).length;
    const before = await stored();
    const restPast = await restSend(past);
    expect([restPast.status, restPast.json?.error?.code], restPast.text.slice(0, 300)).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(restPast.json.error.message).toMatch(new RegExp(`^body/message/${field} `));
    expect(await stored()).toBe(before);
  });

  it('a text: 5,000 characters (emoji count one) taken by both, 5,001 refused by both, over REST as 400 TEXT_TOO_LONG saying the limit', async () => {
    const at = '😀'.repeat(L.maxTextChars);
    const past = '😀'.repeat(L.maxTextChars + 1);
    const wire = (text: string) => wireSend({ rest: {}, wire: { type: pb.MessageType.TEXT, text } });
    expect(await wire(at)).toBe('sent');
    expect(await wire(past)).toBe(ErrorCode.TEXT_TOO_LONG);
    expect((await restSend({ rest: { type: 'text', text: at }, wire: {} })).status).toBe(200);
    const refused = await restSend({ rest: { type: 'text', text: past }, wire: {} });
    expect([refused.status, refused.json?.error?.code, refused.json?.error?.message]).toEqual([400, ErrorCode.TEXT_TOO_LONG, `text is longer than ${L.maxTextChars} characters`]);
  });

  it('an upload\'s name: 255 characters taken, 256 refused as 400 naming querystring/name', async () => {
    const upload = (name: string) =>
      call('POST', `/v1/accounts/{sid}/apps/${server.appId}/files?kind=file&from=${aliceId}&name=${encodeURIComponent(name)}`, undefined, {
        raw: new Uint8Array([1, 2, 3]),
        headers: { 'content-type': 'application/octet-stream' },
      });
    const taken = await upload('中'.repeat(L.maxFileNameChars));
    expect(taken.status, taken.text).toBe(201);
    const refused = await upload('中'.repeat(L.maxFileNameChars + 1));
    expect([refused.status, refused.json?.error?.code], refused.text).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(refused.json.error.message).toMatch(/^querystring\/name /);
  });
});
