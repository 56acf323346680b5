import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MESSAGE_LIMITS, pb } from '../../../protocol';
import type { MagpieClient } from '../../../main/client/magpie-client';
import { createClientFixture, eventually } from '../client/client-fixture';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/**
 * REST sends and broadcasts a location message, as the desktop app sends one: history answered
 * locations while a send of one was refused by the schema (`type` had no `location`).
 */
describe('a location message over REST', () => {
  const fixture = createClientFixture();
  let server: TestServer;
  let call: RestCall;
  let app: string;
  let bob: MagpieClient;
  let carol: MagpieClient;

  beforeAll(async () => {
    server = await startTestServer({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
    bob = await fixture.client(server, 'bob');
    carol = await fixture.client(server, 'carol');
    await Promise.all([bob.start(), carol.start()]);
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
  });

  const place = { latitude: 39.9087, longitude: 116.3975, title: 'Tiananmen', address: 'Dongcheng, Beijing' };

  function locationsOf(client: MagpieClient, conversation: string) {
    return client.store.messages
      .page(conversation, 20)
      .filter((m) => m.type === pb.MessageType.LOCATION)
      .map((m) => m.body.location);
  }

  it('a send reaches the client as a location, and history answers it', async () => {
    const sent = await call('POST', `${app}/messages`, { from: 'alice', to: 'bob', message: { type: 'location', location: place } });
    expect(sent.status, sent.text).toBe(200);
    await eventually(() => locationsOf(bob, 'alice').length === 1, 5_000, () => 'bob to receive the location');
    expect(locationsOf(bob, 'alice')).toEqual([place]);
    const history = await call('GET', `${app}/history?user=alice&peer=bob`);
    expect(history.json.messages.map((m: { type: string; location: unknown }) => [m.type, m.location])).toEqual([['location', place]]);
  });

  it('a broadcast reaches each client as a location; title and address may be left out', async () => {
    const started = await call('POST', `${app}/broadcasts`, { to: ['bob', 'carol'], message: { type: 'location', location: { latitude: -33.8568, longitude: 151.2153 } } });
    expect(started.status, started.text).toBe(202);
    const bare = { latitude: -33.8568, longitude: 151.2153, title: '', address: '' };
    await eventually(() => locationsOf(bob, 'system').length === 1 && locationsOf(carol, 'system').length === 1, 5_000, () => 'both to receive it');
    expect([locationsOf(bob, 'system'), locationsOf(carol, 'system')]).toEqual([[bare], [bare]]);
  });

  const max = MESSAGE_LIMITS.maxLocationTextChars;
  const refused: [string, Record<string, unknown>, string][] = [
    ['no location', { type: 'location' }, 'body/message/location is required for a location message'],
    ['a latitude past 90', { type: 'location', location: { ...place, latitude: 90.5 } }, 'body/message/location/latitude'],
    ['a longitude past -180', { type: 'location', location: { ...place, longitude: -181 } }, 'body/message/location/longitude'],
    [`a title over ${max} characters`, { type: 'location', location: { ...place, title: 'x'.repeat(max + 1) } }, 'body/message/location/title'],
    [`an address over ${max} characters`, { type: 'location', location: { ...place, address: 'x'.repeat(max + 1) } }, 'body/message/location/address'],
    ['a field a location does not have', { type: 'location', location: { ...place, zoom: 3 } }, 'body/message/location'],
    [
      'a location on a text',
      { type: 'text', text: 'here', location: place },
      'body/message/location is for a location message only, and this message\'s type is "text": send type "location" for a place, or leave location out',
    ],
    ['a location on an image', { type: 'image', media: { fileId: 'f1' }, location: place }, 'body/message/location is for a location message only, and this message\'s type is "image"'],
    ['a location on a custom message', { type: 'custom', custom: { command: 'c' }, location: place }, 'body/message/location is for a location message only, and this message\'s type is "custom"'],
  ];

  it.each(refused)('%s: 400 REST_BAD_REQUEST naming the field, on send and broadcast', async (_what, message, said) => {
    for (const [path, body] of [
      ['messages', { to: 'bob', message }],
      ['broadcasts', { to: ['bob'], message }],
    ] as const) {
      const reply = await call('POST', `${app}/${path}`, body);
      expect([reply.status, reply.json?.error?.code], reply.text).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(reply.json.error.message).toContain(said);
    }
  });

  it(`a title and an address of ${max} characters are taken; a control character is the server's INVALID_MESSAGE`, async () => {
    const long = { ...place, title: '地'.repeat(max), address: 'a'.repeat(max) };
    expect((await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'location', location: long } })).status).toBe(200);
    const control = await call('POST', `${app}/messages`, { to: 'bob', message: { type: 'location', location: { ...place, title: 'a\u0007b' } } });
    expect([control.status, control.json?.error?.code], control.text).toEqual([400, ErrorCode.INVALID_MESSAGE]);
  });
});
