import type { SqlDatabase } from '../storage/sql-database';
import { ErrorCode, hasControlCharacter, MagpieError } from '../../protocol';
import { randomHex32 } from '../identity/secrets';
import type { ServerKey } from '../identity/server-key';

/** An app's offline push: where the webhook goes, its signing secret, whether content is hidden. */
export interface AppPushSettings {
  readonly url: string | null;
  readonly secret: string | null;
  readonly hideContent: boolean;
}

export interface PushSettings {
  get(appId: string): AppPushSettings;
  /** Sets the URL (null turns push off) and the content choice; a secret is made on first use. */
  set(appId: string, change: { url?: string | null; hideContent?: boolean; rotateSecret?: boolean }): AppPushSettings;
}

/**
 * A URL being set: the URL parser would drop a line break or tab, or trim spaces, and post to
 * another address than the one stored and shown, so they are refused here rather than kept. Only
 * what is set is checked so: a URL stored before this check existed is used as the parser reads it.
 */
export function checkNewPushUrl(url: string): void {
  if (/\s/u.test(url) || hasControlCharacter(url)) {
    throw new MagpieError(ErrorCode.PUSH_URL_INVALID, 'a push endpoint URL holds no spaces, line breaks or other control characters');
  }
  checkPushUrl(url);
}

/** Only http(s): the push target is the app's own server, never a file or another scheme. */
export function checkPushUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MagpieError(ErrorCode.PUSH_URL_INVALID, `${url} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MagpieError(ErrorCode.PUSH_URL_INVALID, 'a push endpoint is an http or https URL');
  }
}

interface Row {
  push_url: string | null;
  push_secret_sealed: string | null;
  push_hide_content: number;
}

/** The secret is sealed with the server key (like app tokens): the server signs with it. */
export function createPushSettings(db: SqlDatabase, serverKey: ServerKey): PushSettings {
  const select = db.prepare<[string], Row>('SELECT push_url, push_secret_sealed, push_hide_content FROM apps WHERE app_id = ?');
  const update = db.prepare('UPDATE apps SET push_url = ?, push_secret_sealed = ?, push_hide_content = ? WHERE app_id = ?');
  const context = (appId: string) => `push:${appId}`;

  function get(appId: string): AppPushSettings {
    const row = select.get(appId);
    if (!row) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `no app ${appId}`);
    return {
      url: row.push_url,
      secret: row.push_secret_sealed === null ? null : serverKey.open(row.push_secret_sealed, context(appId)),
      hideContent: row.push_hide_content === 1,
    };
  }

  return {
    get,
    set(appId, change) {
      const current = get(appId);
      if (change.url !== undefined && change.url !== null) checkNewPushUrl(change.url);
      const url = change.url === undefined ? current.url : change.url;
      const secret = change.rotateSecret || current.secret === null ? randomHex32() : current.secret;
      const hide = change.hideContent ?? current.hideContent;
      update.run(url, serverKey.seal(secret, context(appId)), hide ? 1 : 0, appId);
      return get(appId);
    },
  };
}
