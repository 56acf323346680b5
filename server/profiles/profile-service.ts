import { bodyFrame, ErrorCode, hasControlCharacter, MagpieError, type Frame } from '../../protocol';
import type { HandlerTable } from '../handler-types';
import type { UserRow, UserStore } from '../identity/users';
import type { Tuning } from '../tuning';

/** Nickname and avatar reference of each user; anyone in the app may read anyone's. */
export interface ProfileService {
  readonly handlers: HandlerTable;
}

export function createProfileService(deps: {
  users: UserStore;
  tuning: Pick<Tuning, 'maxNicknameChars' | 'maxAvatarChars' | 'maxProfileQueryIds'>;
}): ProfileService {
  const { users, tuning } = deps;

  function profilesFrame(rows: readonly UserRow[]): Frame {
    return bodyFrame('PROFILES', {
      profiles: rows.map((row) => ({
        userId: row.userId,
        nickname: row.nickname,
        avatar: row.avatar,
        updatedMs: BigInt(row.updatedMs),
      })),
    });
  }

  return {
    handlers: {
      PROFILE_QUERY: ({ caller, body }) => {
        if (body.userIds.length > tuning.maxProfileQueryIds) {
          throw new MagpieError(ErrorCode.BAD_BODY, `at most ${tuning.maxProfileQueryIds} user ids per query`);
        }
        // unknown users are left out of the answer rather than failing the whole query
        return profilesFrame(users.getUsers(caller.appId, body.userIds));
      },
      PROFILE_UPDATE: ({ caller, body }) => {
        if (body.nickname !== undefined && [...body.nickname].length > tuning.maxNicknameChars) {
          throw new MagpieError(ErrorCode.BAD_BODY, `a nickname has at most ${tuning.maxNicknameChars} characters`);
        }
        if (body.nickname !== undefined && hasControlCharacter(body.nickname)) {
          throw new MagpieError(ErrorCode.BAD_BODY, 'a nickname must not hold control characters (line breaks, escapes, direction overrides)');
        }
        if (body.avatar !== undefined && body.avatar.length > tuning.maxAvatarChars) {
          throw new MagpieError(ErrorCode.BAD_BODY, `an avatar reference has at most ${tuning.maxAvatarChars} characters`);
        }
        const change: { nickname?: string; avatar?: string } = {};
        if (body.nickname !== undefined) change.nickname = body.nickname;
        if (body.avatar !== undefined) change.avatar = body.avatar;
        return profilesFrame([users.updateProfile(caller.appId, caller.userId, change)]);
      },
    },
  };
}
