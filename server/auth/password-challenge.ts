import { createHmac, randomBytes } from 'node:crypto';
import {
  authMessage,
  ErrorCode,
  MagpieError,
  MAX_NONCE_BYTES,
  MIN_NONCE_BYTES,
  type pb,
  type ProofContext,
  userIdProblem,
} from '../../protocol';
import type { Identity, SubAccountCredentials } from '../identity/identity';
import { parseVerifier, scryptParams, type PasswordVerifier } from '../identity/password-verifier';

/** One password exchange in progress on a connection: AUTH_START answered, LOGIN still to come. */
export interface PasswordChallenge {
  /** The AUTH_CHALLENGE body. */
  readonly reply: pb.AuthChallenge | Omit<pb.AuthChallenge, '$typeName' | '$unknown'>;
  /** The sub-account named, when it exists and has a verifier. */
  readonly sub: SubAccountCredentials | undefined;
  readonly verifier: Pick<PasswordVerifier, 'storedKey' | 'serverKey'>;
  /** What AUTH_START named; the LOGIN must name the same. */
  readonly appId: string;
  readonly user: string;
  /** The auth message both sides sign. */
  readonly message: Buffer;
}

export interface PasswordChallenges {
  start(body: pb.AuthStart): PasswordChallenge;
}

export interface PasswordChallengesDeps {
  readonly identity: Identity;
  /** A server secret (ServerKey.derive) for the stand-in salts. */
  readonly fakeSaltKey: Buffer;
  /** The scrypt cost of new passwords: what an unknown account's stand-in shows. */
  readonly scryptCost: number;
}

const SERVER_NONCE_BYTES = 24;
const SALT_BYTES = 16;

/**
 * Answers AUTH_START. An unknown voipAccount gets a salt derived from a server secret and the
 * account name, and the current parameters: the same account always gets the same answer, and it
 * looks like a real one, so the reply does not say whether the account exists. The LOGIN that
 * follows then fails like a wrong password.
 */
export function createPasswordChallenges(deps: PasswordChallengesDeps): PasswordChallenges {
  return {
    start(body) {
      const problem = userIdProblem(body.user);
      if (problem) throw new MagpieError(ErrorCode.INVALID_USER_ID, problem);
      if (body.clientNonce.length < MIN_NONCE_BYTES || body.clientNonce.length > MAX_NONCE_BYTES) {
        throw new MagpieError(ErrorCode.BAD_BODY, `client_nonce must have ${MIN_NONCE_BYTES}-${MAX_NONCE_BYTES} bytes`);
      }
      const found = deps.identity.findByVoipAccount(body.user);
      const stored = found && parseVerifier(found.voipPwdHash);
      const salt = stored?.salt ?? createHmac('sha256', deps.fakeSaltKey).update(body.user).digest().subarray(0, SALT_BYTES);
      const params = stored?.params ?? scryptParams(deps.scryptCost);
      // a stand-in that no proof matches: H(anything) is never this random value
      const verifier = stored ?? { storedKey: randomBytes(32), serverKey: randomBytes(32) };
      const serverNonce = randomBytes(SERVER_NONCE_BYTES);
      const context: ProofContext = { appId: body.appId, user: body.user, clientNonce: body.clientNonce, serverNonce, salt, params };
      return {
        reply: { salt, scryptN: params.N, scryptR: params.r, scryptP: params.p, serverNonce },
        sub: stored ? found : undefined,
        verifier,
        appId: body.appId,
        user: body.user,
        message: authMessage(context),
      };
    },
  };
}
