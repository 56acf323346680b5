import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const MESSAGES = [
  '明天上午十点开会',
  '我们在北京见面吧',
  '天安门广场人很多',
  'The quarterly meeting moved to Friday',
  'Magpie 鹊 sends messages fast',
  '今天天气很好, perfect for a walk',
];

describe('search on synced messages, offline', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('finds Chinese (1, 2 and 3+ characters) and English with no connection', async () => {
    server = await startTestServer();
    const alice = await fixture.client(server, 'alice');
    const profileDir = await fixture.profile();
    const bob = await fixture.client(server, 'bob', { profileDir });
    await Promise.all([alice.start(), bob.start()]);
    const aliceChat = createChatService(alice);
    for (const text of MESSAGES) await aliceChat.send('bob', { kind: 'text', text });
    await eventually(() => bob.store.syncState.get().appliedSeq >= MESSAGES.length, 5_000);
    bob.close();

    // a client that never connects: search runs on the store alone
    const offline = await fixture.client(server, 'bob', { profileDir, servers: ['127.0.0.1:1'] });
    expect(offline.status.state).toBe('idle');
    const chat = createChatService(offline);
    const texts = (query: string): string[] =>
      chat.search(query).map((hit) => offline.store.messages.getByLocalId(Number(hit.key))!.text).sort();

    expect(texts('鹊')).toEqual(['Magpie 鹊 sends messages fast']);
    expect(texts('天')).toEqual(['今天天气很好, perfect for a walk', '天安门广场人很多', '明天上午十点开会'].sort());
    expect(texts('北京')).toEqual(['我们在北京见面吧']);
    expect(texts('开会')).toEqual(['明天上午十点开会']);
    expect(texts('天安门广场')).toEqual(['天安门广场人很多']);
    expect(texts('天气很好')).toEqual(['今天天气很好, perfect for a walk']);
    expect(texts('京北')).toEqual([]);
    expect(texts('meeting')).toEqual(['The quarterly meeting moved to Friday']);
    expect(texts('QUARTER')).toEqual(['The quarterly meeting moved to Friday']);
    expect(texts('magpie 鹊')).toEqual(['Magpie 鹊 sends messages fast']);
    expect(texts('walk 天气')).toEqual(['今天天气很好, perfect for a walk']);
    expect(texts('tuesday')).toEqual([]);
    expect(chat.search('北京')[0]).toMatchObject({ conversation: 'alice', from: 'alice', snippet: '我们在北京见面吧' });
  });
});
