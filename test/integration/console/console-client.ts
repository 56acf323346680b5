export interface ConsoleReply {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads the answer's fields freely
  readonly json: any;
}

export interface ConsoleCallOptions {
  /** Leave the CSRF header out (a cross-site form). */
  readonly noCsrf?: boolean;
  readonly origin?: string;
  /** Send no cookie. */
  readonly anonymous?: boolean;
  readonly cookie?: string;
  readonly headers?: Record<string, string>;
}

/** A browser's side of the console API with Node's fetch: keeps the session cookie, sends the CSRF header and the page's Origin. */
export function consoleClient(baseUrl: string) {
  let cookie: string | undefined;
  const call = async (method: string, path: string, body?: unknown, options: ConsoleCallOptions = {}): Promise<ConsoleReply> => {
    const sendCookie = options.cookie ?? (options.anonymous ? undefined : cookie);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        origin: options.origin ?? baseUrl,
        ...(options.noCsrf ? {} : { 'x-magpie-console': '1' }),
        ...(sendCookie ? { cookie: sendCookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'manual',
    });
    const set = response.headers.getSetCookie().find((line) => line.startsWith('magpie_console='));
    if (set) cookie = set.split(';')[0];
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, headers: response.headers, json };
  };
  return Object.assign(call, { cookie: () => cookie });
}
