/**
 * A client process for the upload-restart test: logs in with the app token, puts media messages
 * in the outbox (their uploads start at once) and kills itself (SIGKILL, no clean-up) once the
 * first upload has sent killAt of its bytes, so a second run on the profile must resume it.
 *
 *   node --import tsx test/support/media-upload-child.ts '{"port":1,"appId":"..","appToken":"..","user":"alice","profileDir":"..","to":"bob","files":["/a"],"killAt":0.4}'
 */
import { writeSync } from 'node:fs';
import pino from 'pino';
import { loginRequest } from '../../main/client/login-request';
import { MagpieClient } from '../../main/client/magpie-client';
import { fastTestTuning } from '../../main/engine/tuning';
import { createMediaAccess } from '../../main/files/media-access';
import { createMediaOutbox } from '../../main/files/media-outbox';

interface ChildArgs {
  port: number;
  appId: string;
  appToken: string;
  user: string;
  profileDir: string;
  to: string;
  files: string[];
  killAt: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const login = loginRequest(args.appId, { type: 'appToken', user: args.user, token: args.appToken }, { deviceId: `child-${args.user}` });
  const log = pino({ level: 'silent' });
  const client = new MagpieClient({
    profileDir: args.profileDir,
    servers: [`127.0.0.1:${args.port}`],
    login: { ...login, appId: args.appId, user: args.user },
    tuning: fastTestTuning,
    log,
  });
  let first = '';
  const outbox = createMediaOutbox({
    client,
    access: createMediaAccess(client),
    log,
    onProgress: (clientMsgId, sent, total) => {
      if (clientMsgId !== first || sent < total * args.killAt) return;
      // written and killed at once: a kill left to the pipe's write callback let a loaded machine
      // finish both uploads first
      writeSync(1, JSON.stringify({ killed: clientMsgId, sent }) + '\n');
      process.kill(process.pid, 'SIGKILL');
    },
  });
  await client.start();
  for (const [i, path] of args.files.entries()) {
    const view = await outbox.send({ to: args.to, path, kind: 'file' });
    if (i === 0) first = view.clientMsgId!;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
