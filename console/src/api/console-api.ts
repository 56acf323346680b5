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

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET';
  const response = await fetch(`/console/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: write ? { 'content-type': 'application/json', 'x-magpie-console': '1' } : {},
    ...(write ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const json = (await response.json().catch(() => undefined)) as { error?: { code: number; message: string } } | undefined;
  if (!response.ok) throw new ConsoleApiError(response.status, json?.error?.code ?? 0, json?.error?.message ?? response.statusText);
  return json as T;
}

const app = (appId: string) => `/apps/${encodeURIComponent(appId)}`;

export const consoleApi = {
  signIn: (accountSid: string, authToken: string) => call<{ accountSid: string }>('POST', '/session', { accountSid, authToken }),
  whoAmI: () => call<SessionView>('GET', '/session'),
  signOut: () => call<{ signedOut: true }>('DELETE', '/session'),
  listApps: () => call<{ apps: AppView[] }>('GET', '/apps'),
  createApp: (name: string) => call<AppView>('POST', '/apps', { name }),
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
};
