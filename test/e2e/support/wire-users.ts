import { pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import type { TestServer } from '../../support/test-server';

export type Account = ReturnType<TestServer['createUser']>;

/**
 * Users on the wire beside the UI's session (bot devices), to send, revoke and act as the other
 * people in a test do; `close` ends every connection made.
 */
export function wireUsers(server: () => TestServer, idPrefix: string) {
  const clients: TestClient[] = [];
  let sent = 0;
  return {
    async connect(user: Account): Promise<TestClient> {
      const client = await TestClient.connect(server().port);
      clients.push(client);
      await client.hello();
      await client.loginWithPassword(user.voipAccount, user.voipPwd, { device: pb.DeviceKind.BOT });
      return client;
    },
    /** Sends a text and answers its message id once the server has it. */
    async sendText(from: TestClient, to: string, text: string): Promise<bigint> {
      sent++;
      const clientMsgId = new TextEncoder().encode(`${idPrefix}-${String(sent).padStart(4, '0')}`);
      const receipt = await from.ask('SEND', { clientMsgId, to, type: pb.MessageType.TEXT, text }, 'SENT');
      return receipt.msgId;
    },
    close: () => Promise.all(clients.map((client) => client.close())),
  };
}
