/**
 * A client process for the crash tests: logs in with the app token, syncs the user's inbox into
 * the profile and prints one JSON line per sync progress event, then {"done":true}. The test kills
 * it (SIGKILL) part-way to check that a second run resumes where the store left off.
 *
 *   node --import tsx test/support/sync-child.ts '{"port":1,"appId":"..","appToken":"..","user":"bob","profileDir":"..","pageEntries":50}'
 */
import pino from 'pino';
import { loginRequest } from '../../main/client/login-request';
import { MagpieClient } from '../../main/client/magpie-client';
import { fastTestTuning } from '../../main/engine/tuning';

interface ChildArgs {
  port: number;
  appId: string;
  appToken: string;
  user: string;
  profileDir: string;
  pageEntries: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const login = loginRequest(args.appId, { type: 'appToken', user: args.user, token: args.appToken }, { deviceId: `child-${args.user}` });
  const client = new MagpieClient({
    profileDir: args.profileDir,
    servers: [`127.0.0.1:${args.port}`],
    login: { ...login, appId: args.appId, user: args.user },
    tuning: { ...fastTestTuning, syncPageEntries: args.pageEntries },
    log: pino({ level: 'silent' }),
  });
  const finished = new Promise<void>((resolve) =>
    client.events.on('progress', (progress) => {
      process.stdout.write(JSON.stringify({ ...progress, appliedSeq: client.store.syncState.get().appliedSeq }) + '\n');
      if (progress.done) resolve();
    }),
  );
  await client.start();
  await finished;
  await client.syncIdle();
  client.close();
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
