import type { Clock } from '../../protocol';
import { pushHeaders } from '../push/push-service';
import type { AppPushSettings } from '../push/push-settings';

/** What the receiver answered a test push: its HTTP status, or why no answer came. */
export type TestPushResult = { readonly delivered: true; readonly status: number } | { readonly delivered: false; readonly status?: number; readonly error: string };

/** The one answer for a receiver that could not be reached or did not answer in time. */
export const NO_ANSWER = 'no answer from the receiver';

/**
 * Posts one signed notification of type "magpie.push.test" to the app's webhook, exactly as a real
 * push is signed, so a developer can check their receiver (signature included) from the console.
 */
export async function sendTestPush(appId: string, settings: AppPushSettings, deps: { clock: Clock; timeoutMs: number }): Promise<TestPushResult> {
  if (settings.url === null || settings.secret === null) return { delivered: false, error: 'no push URL is set' };
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
    return response.ok ? { delivered: true, status: response.status } : { delivered: false, status: response.status, error: `the receiver answered ${response.status}` };
  } catch {
    // an address that refuses, one that is not there and one that is silent answer alike, so the
    // test push does not tell a developer which ports of the server's network are open
    return { delivered: false, error: NO_ANSWER };
  }
}
