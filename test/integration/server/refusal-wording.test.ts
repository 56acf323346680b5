import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../../protocol';
import { restClient, type RestCall } from '../rest/rest-fixture';
import { openChatWorld, type ChatWorld } from './chat-fixture';

/** Refusals read as sentences people say: a duration in minutes, a blank name called blank, a field that "must be" something. */
describe('the words of a refusal', () => {
  let world: ChatWorld;
  let clock: ManualClock;
  let call: RestCall;
  let app: string;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 10, 28, 6, 0, 0));
    world = await openChatWorld({ clock, tuning: { idleTimeoutMs: 86_400_000 } });
    const { server } = world;
    const signed = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    // signed at the server's (manual) time
    call = (method, path, body, options = {}) => signed(method, path, body, { atMs: clock.now(), ...options });
    app = `/v1/accounts/{sid}/apps/${server.appId}`;
  });
  afterAll(async () => {
    await world.close();
  });

  it('says the revoke window in minutes, not milliseconds', async () => {
    const alice = await world.login('alice01');
    const sent = await alice.text('bob01', 'too late', 1);
    clock.advance(120_001);
    await expect(alice.client.ask('REVOKE', { msgId: sent.msgId }, 'OK')).rejects.toMatchObject({
      code: ErrorCode.REVOKE_WINDOW_PASSED,
      message: 'a message can be revoked for 2 minutes after it was sent',
    });
  });

  it('calls a group name of white space blank, and says what a field must be', async () => {
    const blank = await call('POST', `${app}/groups`, { owner: 'alice01', name: '  ' });
    expect([blank.status, blank.json.error.code, blank.json.error.message]).toEqual([400, ErrorCode.INVALID_GROUP_ARGUMENT, 'name must not be empty or only white space']);
    const owner = await call('POST', `${app}/groups`, { owner: 'g!', name: 'team' });
    expect([owner.status, owner.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
    expect(owner.json.error.message).toBe('body/owner must be a user id: letters, digits, _ and -, 1-64 characters, not starting with g');
    const to = await call('POST', `${app}/messages`, { to: 'no way', message: { type: 'text', text: 'hi' } });
    expect(to.json.error.message).toBe('body/to must be a user id or a group id (g…): letters, digits, _ and -, 1-64 characters');
  });
});
