import type { LoginAuth } from '../../../preload/api';
import { parseServerAddressList } from '../../engine/address-book';
import { UsageError } from '../usage';
import type { Command, GlobalOptions } from './parsed-command';
import { required, type Values } from './flags';
import { userId } from './id-and-number-checks';
import { isLocalCommand, loginSecret, type SecretSources } from './login-secret';

export const DEFAULT_SERVER = '127.0.0.1:8883';
export const DEFAULT_TIMEOUT_S = 10;

/** The longest --timeout: Node's timers fire at once past 2^31 - 1 ms. */
const MAX_TIMEOUT_S = Math.floor(0x7fff_ffff / 1000);

/** The flags every command but help takes: servers, app, login, profile, timeout, TLS. */
export function parseGlobal(values: Values, command: string, parsed: Command, secrets: SecretSources): GlobalOptions {
  const servers = values.server ?? DEFAULT_SERVER;
  try {
    if (parseServerAddressList(servers).length === 0) throw new Error('no address');
  } catch {
    throw new UsageError(`--server must be [tls://|tcp://]host:port[,...], not "${servers}"`, command);
  }
  const appId = required('--app', values.app, command);
  const user = required('--user', values.user, command);
  // a local command reads only the store: --user names it (every store is named by a user id);
  // the secret, given or not, is left alone
  let auth: LoginAuth | undefined;
  if (isLocalCommand(parsed)) userId('--user', user, command);
  else auth = loginAuth(values, command, parsed, secrets, user);
  const timeoutText = values.timeout ?? String(DEFAULT_TIMEOUT_S);
  const timeoutS = Number(timeoutText);
  if (timeoutText.trim() === '' || !Number.isFinite(timeoutS) || timeoutS < 0 || timeoutS > MAX_TIMEOUT_S) {
    throw new UsageError(`--timeout must be a number of seconds from 0 (waits for ever) to ${MAX_TIMEOUT_S}, not "${timeoutText}"`, command);
  }
  return {
    servers: servers.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    appId,
    user,
    auth,
    profileDir: values.profile,
    // a positive timeout below a millisecond is not 0, which waits for ever
    timeoutMs: timeoutS === 0 ? 0 : Math.max(1, Math.round(timeoutS * 1000)),
    caFile: values.ca === undefined ? undefined : required('--ca', values.ca, command),
    insecurePlain: values['insecure-plain'] ?? false,
    force: values.force ?? false,
  };
}

/** How a connecting command logs in: the secret from exactly one place, and its flags. */
function loginAuth(values: Values, command: string, parsed: Command, secrets: SecretSources, user: string): LoginAuth {
  const secret = loginSecret(values, command, parsed, secrets);
  let auth: LoginAuth;
  if (secret.kind === 'token') auth = { type: 'appToken', user: userId('--user', user, command), token: secret.value };
  else if (secret.kind === 'password') auth = { type: 'password', user, password: secret.value };
  else {
    const timestamp = required('--ts', values.ts, command);
    auth = { type: 'signed', user: userId('--user', user, command), signature: secret.value, timestamp, algorithm: values.md5 ? 'md5' : 'hmac-sha256' };
  }
  if (values.signed === undefined && (values.ts !== undefined || values.md5)) throw new UsageError('--ts and --md5 go with --signed', command);
  return auth;
}
