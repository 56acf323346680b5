import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';

/** China Standard Time: the classic timestamp's clock (md5TimestampUtcOffsetMinutes). */
export const CST_MINUTES = 480;

export interface SignOptions {
  /** Sign with this time instead of now (a stale timestamp). */
  readonly atMs?: number;
  /** Sign with this token instead of the account's (a wrong token). */
  readonly token?: string;
  /** Put this account in the path (another account's path). */
  readonly pathSid?: string;
  /** Leave the nonce out: repeat the exact request (a replay). */
  readonly noNonce?: boolean;
  readonly headers?: Record<string, string>;
  /** A raw body (XML, broken JSON, a file's bytes) instead of JSON.stringify(body). */
  readonly raw?: string | Uint8Array<ArrayBuffer>;
}

export interface RestReply {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads the answer's fields freely
  readonly json: any;
}

/**
 * A developer's server calling Magpie's REST API with Node's fetch: each request signed with the
 * main account's token (sig = MD5(sid + token + timestamp), Authorization = base64(sid:timestamp)).
 * A nonce query parameter keeps two identical calls in one second from looking like a replay.
 */
export function restClient(baseUrl: string, accountSid: string, authToken: string) {
  let nonce = 0;
  return async function call(method: string, path: string, body?: unknown, options: SignOptions = {}): Promise<RestReply> {
    const sid = options.pathSid ?? accountSid;
    const timestamp = formatCompactTimestamp(options.atMs ?? Date.now(), CST_MINUTES);
    const sig = restSignature(accountSid, options.token ?? authToken, timestamp);
    const fullPath = path.replace('{sid}', sid);
    const sep = fullPath.includes('?') ? '&' : '?';
    const url = `${baseUrl}${fullPath}${sep}sig=${sig}${options.noNonce ? '' : `&nonce=${++nonce}`}`;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        authorization: restAuthorization(accountSid, timestamp),
        ...(payload !== undefined ? { 'content-type': 'application/json;charset=utf-8' } : {}),
        ...options.headers,
      },
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };
}

export type RestCall = ReturnType<typeof restClient>;

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
