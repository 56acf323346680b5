import type { InitOf, pb } from '../../protocol';
import type { Link } from './link';

/**
 * A LOGIN's answer and when, by the local clock, the LOGIN went out and its answer came back: the
 * sample the client reckons the server's clock from (main/client/server-clock.ts).
 */
export interface LoginExchange {
  readonly result: pb.LoginResult;
  readonly sentMs: number;
  readonly answeredMs: number;
}

/** Sends LOGIN on the link and times its round trip. */
export async function timedLogin(link: Link, body: InitOf<'LOGIN'>, timeoutMs: number, now: () => number): Promise<LoginExchange> {
  const sentMs = now();
  const answer = await link.request('LOGIN', body, timeoutMs);
  return { result: answer.body, sentMs, answeredMs: now() };
}
