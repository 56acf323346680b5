import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/test-server';
import { restClient, type RestCall } from './rest-fixture';

/** A test server, a signed REST caller of its main account, its app's REST path, and users logged in by app token. */
export interface RestApp {
  readonly server: TestServer;
  readonly call: RestCall;
  /** `/v1/accounts/{sid}/apps/<appId>`. */
  readonly app: string;
  /** Logs a user in with the app token (any user id of the app); closed by stop(). */
  login(user: string): Promise<TestClient>;
  stop(): Promise<void>;
}

/** Refusals never lock the caller out here: a test makes many on purpose. */
const MANY_REFUSALS: TestServerOptions = { tuning: { restMaxRefusals: 1_000_000 } };

export async function startRestApp(options: TestServerOptions = MANY_REFUSALS): Promise<RestApp> {
  const server = await startTestServer(options);
  const clients: TestClient[] = [];
  return {
    server,
    call: restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken),
    app: `/v1/accounts/{sid}/apps/${server.appId}`,
    async login(user) {
      const client = await TestClient.connect(server.port);
      clients.push(client);
      await client.hello();
      await client.loginWithAppToken(server.appId, server.appToken, user);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await server.stop();
    },
  };
}
