import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { startRestAndWire, type RestAndWire } from './rest-and-wire-fixture';

/** A location a client sent reads back over REST whole: where it is, its name and its address. */
describe('REST history of a location message', () => {
  let fixture: RestAndWire;

  beforeAll(async () => {
    fixture = await startRestAndWire();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('answers the latitude, longitude, title and address the client sent', async () => {
    const { alice, aliceId, call, server } = fixture;
    const location = { latitude: 31.2304, longitude: 121.4737, title: '外滩 The Bund', address: '中山东一路, 黄浦区, 上海 200002' };
    await alice.ask('SEND', { clientMsgId: new TextEncoder().encode('location-0001'), to: 'bob01', type: pb.MessageType.LOCATION, location }, 'SENT');

    const history = await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/history?user=${aliceId}&peer=bob01`);
    expect(history.status, history.text).toBe(200);
    expect(history.json.messages).toHaveLength(1);
    expect(history.json.messages[0]).toMatchObject({ from: aliceId, to: 'bob01', type: 'location', location });
  });
});
