/** The console's calls to /console/api: the session is the HttpOnly cookie, writes carry the CSRF header. */

export interface AppView {
  readonly appId: string;
  readonly name: string;
  readonly appToken: string;
  readonly state: 'online' | 'offline';
  readonly dateCreated: string;
}

export interface PushView {
  readonly url: string | null;
  readonly secret: string | null;
  readonly hideContent: boolean;
}

export interface SubAccountView {
  readonly subAccountSid: string;
  readonly voipAccount: string;
  readonly friendlyName: string;
  readonly closed: boolean;
  readonly dateCreated: string;
}

export interface CreatedSubAccount extends SubAccountView {
  readonly subToken: string;
  readonly voipPwd: string;
}

export interface TestPushView {
  readonly delivered: boolean;
  /** Why it was not delivered (server/console/test-push.ts); absent from a server before it. */
  readonly reason?: 'no-url' | 'status' | 'no-answer' | (string & {});
  readonly status?: number;
  readonly error?: string;
}

export interface StatsView {
  readonly onlineUsers: number;
  readonly messagesSince: number;
}

/** Who is signed in: not being signed in is an answer, not an error. */
export type SessionView = { readonly signedIn: true; readonly accountSid: string } | { readonly signedIn: false };

/** A refused call: the HTTP status and the server's code and message. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * No answer from the server: it is stopped, restarting, or the network is down (the browser's
 * own "Failed to fetch" says none of that), or something in front answered without a Magpie error.
 */
export class ConsoleUnreachableError extends Error {
  constructor(readonly status?: number) {
    super(status === undefined ? 'no answer from the server' : `HTTP ${status}`);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET';
  let response: Response;
  try {
    response = await fetch(`/console/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: write ? { 'content-type': 'application/json', 'x-magpie-console': '1' } : {},
      ...(write ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    throw new ConsoleUnreachableError();
  }
  const json = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (!response.ok) {
    const error = json?.error;
    if (typeof error?.code === 'number') throw new ConsoleApiError(response.status, error.code, String(error.message ?? ''));
    // a proxy's 502 page, say: not the server's own refusal, so no code to show (a 401 still signs out)
    if (response.status !== 401) throw new ConsoleUnreachableError(response.status);
    throw new ConsoleApiError(response.status, 0, response.statusText);
  }
  return json as T;
}

const app = (appId: string) => `/apps/${encodeURIComponent(appId)}`;

export const consoleApi = {
  signIn: (accountSid: string, authToken: string) => call<{ accountSid: string }>('POST', '/session', { accountSid, authToken }),
  whoAmI: () => call<SessionView>('GET', '/session'),
  signOut: () => call<{ signedOut: true }>('DELETE', '/session'),
  listApps: () => call<{ apps: AppView[] }>('GET', '/apps'),
  createApp: (name: string, idempotencyKey: string) => call<AppView>('POST', '/apps', { name, idempotencyKey }),
  editApp: (appId: string, change: { name?: string; state?: 'online' | 'offline' }) => call<AppView>('PATCH', app(appId), change),
  deleteApp: (appId: string) => call<{ deleted: true }>('DELETE', app(appId)),
  rotateToken: (appId: string) => call<AppView>('POST', `${app(appId)}/token`),
  push: (appId: string) => call<PushView>('GET', `${app(appId)}/push`),
  setPush: (appId: string, change: { url?: string | null; hideContent?: boolean; rotateSecret?: boolean }) => call<PushView>('PUT', `${app(appId)}/push`, change),
  testPush: (appId: string) => call<TestPushView>('POST', `${app(appId)}/push/test`),
  stats: (appId: string, sinceMs: number) => call<StatsView>('GET', `${app(appId)}/stats?sinceMs=${sinceMs}`),
  subAccounts: (appId: string, query: { offset: number; limit: number } | { friendlyName: string }) =>
    call<{ total: number; subAccounts: SubAccountView[] }>(
      'GET',
      `${app(appId)}/subaccounts?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`,
    ),
  createSubAccount: (appId: string, friendlyName: string) => call<CreatedSubAccount>('POST', `${app(appId)}/subaccounts`, { friendlyName }),
  setSubAccountClosed: (appId: string, subAccountSid: string, closed: boolean) =>
    call<SubAccountView>('POST', `${app(appId)}/subaccounts/${encodeURIComponent(subAccountSid)}/${closed ? 'close' : 'reopen'}`),
  /** A new subToken and voipPwd, answered this once; the old ones stop working. */
  newSubAccountSecrets: (appId: string, subAccountSid: string) =>
    call<CreatedSubAccount>('POST', `${app(appId)}/subaccounts/${encodeURIComponent(subAccountSid)}/secrets`),
};
