import { ErrorCode, MagpieError } from '../../protocol';
import type { MagpieClient } from './magpie-client';

/**
 * Rejects once a race has reached no address (the status turns `reconnecting`) with a code that
 * `counts` takes, with that code, reason and address. The engine goes on retrying in the
 * background; someone waiting for a first login (the sign-in form, a CLI command) is told at once.
 * `stop` stops listening; the promise then never settles.
 */
export function failedRace(client: MagpieClient, counts: (code: number | undefined) => boolean = () => true): { failed: Promise<never>; stop(): void } {
  let onStatus: (status: { state: string; code?: number; reason?: string; server?: string }) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onStatus = (status) => {
      if (status.state !== 'reconnecting' || !counts(status.code)) return;
      client.events.off('status', onStatus);
      const address = status.server === undefined ? {} : { address: status.server };
      reject(new MagpieError(status.code ?? ErrorCode.NOT_CONNECTED, status.reason ?? 'no server address could be reached', address));
    };
    client.events.on('status', onStatus);
  });
  return { failed, stop: () => client.events.off('status', onStatus) };
}
