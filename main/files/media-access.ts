import { ErrorCode, MagpieError, type pb } from '../../protocol';
import type { MagpieClient } from '../client/magpie-client';

/** Where the file service is and the token to show it. */
export interface MediaGrant {
  readonly baseUrl: string;
  readonly token: string;
}

export interface MediaAccess {
  /** The file service's address and a token valid for at least the margin; refreshed by MEDIA_TOKEN when due. */
  grant(): Promise<MediaGrant>;
  dispose(): void;
}

/** A token this close to its expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Follows the session's file-service grant: LOGIN_RESULT brings the HTTP port and a media token
 * (the host is the one the connection reached); MEDIA_TOKEN refreshes the token before it expires.
 * Expiry is compared with the server's clock as the client reckons it (ServerClock).
 */
export function createMediaAccess(client: MagpieClient): MediaAccess {
  let httpPort = 0;
  let token = '';
  let expiresServerMs = 0;
  let refreshing: Promise<void> | undefined;
  const onLogin = (result: pb.LoginResult) => {
    httpPort = result.httpPort;
    token = result.mediaToken?.token ?? '';
    expiresServerMs = Number(result.mediaToken?.expiresMs ?? 0n);
  };
  client.events.on('login', onLogin);

  const refresh = async () => {
    const answer = await client.request('MEDIA_TOKEN', {});
    token = answer.body.token;
    expiresServerMs = Number(answer.body.expiresMs);
  };

  return {
    async grant() {
      if (httpPort === 0) throw new MagpieError(ErrorCode.NOT_CONNECTED, 'no file service: log in first (or the server runs none)');
      if (expiresServerMs - client.serverClock.now() < REFRESH_MARGIN_MS) {
        refreshing ??= refresh().finally(() => (refreshing = undefined));
        await refreshing;
      }
      const host = hostOf(client.status.server ?? '127.0.0.1:0');
      return { baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`, token };
    },
    dispose: () => client.events.off('login', onLogin),
  };
}

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(address);
  if (bracketed?.[1]) return bracketed[1];
  return address.slice(0, address.lastIndexOf(':'));
}
