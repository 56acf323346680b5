import { restClient, type RestCall } from '../rest/rest-fixture';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/test-server';

/** A test server, a signed REST caller of its main account, and alice logged in over the wire. */
export interface RestAndWire {
  readonly server: TestServer;
  readonly call: RestCall;
  readonly alice: TestClient;
  /** alice's user id (her voipAccount). */
  readonly aliceId: string;
  stop(): Promise<void>;
}

/** For tests that check one rule on both ways in: the REST API and a client's SEND. */
export async function startRestAndWire(options: TestServerOptions = {}): Promise<RestAndWire> {
  const server = await startTestServer(options);
  const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
  const user = server.createUser('alice');
  const alice = await TestClient.connect(server.port);
  await alice.hello();
  await alice.loginWithPassword(user.voipAccount, user.voipPwd);
  return {
    server,
    call,
    alice,
    aliceId: user.voipAccount,
    async stop() {
      await alice.close();
      await server.stop();
    },
  };
}
