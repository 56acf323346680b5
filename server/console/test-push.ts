import type { Logger } from 'pino';
import type { Clock } from '../../protocol';
import { pushHeaders } from '../push/push-service';
import type { AppPushSettings } from '../push/push-settings';

/**
 * Why a test push was not delivered, for the page to word in its language: no URL is set, the
 * receiver answered a status that is not 2xx, or no answer came at all.
 */
export type TestPushReason = 'no-url' | 'status' | 'no-answer';

/** What the receiver answered a test push: its HTTP status, or why no answer came. */
export type TestPushResult =
  | { readonly delivered: true; readonly status: number }
  | { readonly delivered: false; readonly reason: TestPushReason; readonly status?: number; readonly error: string };

/** The one answer for a receiver that could not be reached or did not answer in time. */
export const NO_ANSWER = 'no answer from the receiver (refused, host not found or silent: the server log says which)';

/** What fetch's error means, in words for the operator's log (fetch itself says only "fetch failed"). */
export function noAnswerReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'the connection was refused (nothing listens there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name was not found (DNS)';
  if (code === 'ECONNRESET') return 'the receiver closed the connection without an answer';
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Posts one signed notification of type "magpie.push.test" to the app's webhook, exactly as a real
 * push is signed, so a developer can check their receiver (signature included) from the console.
 */
export async function sendTestPush(
  appId: string,
  settings: AppPushSettings,
  deps: { clock: Clock; timeoutMs: number; log: Logger },
): Promise<TestPushResult> {
  if (settings.url === null || settings.secret === null) return { delivered: false, reason: 'no-url', error: 'no push URL is set' };
  const timestamp = String(deps.clock.now());
  const body = JSON.stringify({
    type: 'magpie.push.test',
    appId,
    title: 'Magpie',
    body: 'A test push from the developer console',
  });
  try {
    const response = await fetch(settings.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
      headers: pushHeaders(settings.secret, timestamp, `${appId}:test:${timestamp}`, body),
      body,
    });
    await response.body?.cancel();
    return response.ok
      ? { delivered: true, status: response.status }
      : { delivered: false, reason: 'status', status: response.status, error: `the receiver answered ${response.status}` };
  } catch (error) {
    // an address that refuses, one that is not there and one that is silent answer alike, so the
    // test push does not tell a developer which ports of the server's network are open; the
    // server's operator, who owns that network, reads which it was in the log
    deps.log.info({ appId, reason: noAnswerReason(error, deps.timeoutMs) }, 'console test push got no answer');
    return { delivered: false, reason: 'no-answer', error: NO_ANSWER };
  }
}
