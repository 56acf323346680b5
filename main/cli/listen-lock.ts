import { join } from 'node:path';
import { ErrorCode, MagpieError } from '../../protocol';
import { lockProfile, type ProfileLock } from '../shell/profile-lock';
import { CliExit, ExitCode, type CliSession } from './cli-session';

const LISTEN_LOCK = 'listen.lock';

/**
 * One `listen` per user and profile. Two would share one store and its printed-up-to cursor
 * (migration 0011) while each holds its own connection: both would print the same lines, and the
 * cursor would be moved by two writers. The second is refused instead (LISTEN_RUNNING, exit 2),
 * naming the first; a lock left by a process that is gone is taken over.
 */
export function lockListen(session: CliSession): ProfileLock {
  const { client, profileDir } = session;
  const userDir = join(profileDir, client.appId, client.selfId);
  const locked = lockProfile(userDir, { lockFile: LISTEN_LOCK });
  if (locked.ok) return locked.lock;
  throw new CliExit(
    ExitCode.USAGE,
    new MagpieError(
      ErrorCode.LISTEN_RUNNING,
      `another magpie listen (process ${locked.holder.pid}) already prints ${client.selfId}'s messages from this profile (${profileDir}); ` +
        'two would print the same lines twice from one printed-up-to cursor: stop that one, or give this one its own --profile',
    ),
  );
}
