import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError } from '../../protocol';
import type { EventName, EventPayloads } from '../../preload/api';
import { MEDIA_LIMITS } from '../../preload/api';
import type { ApiHandlers } from '../api/dispatch';
import { downloadFile } from '../files/downloader';
import { DEFAULT_FILE_CACHE_BYTES, fileCacheDir, openFileCache, type FileCache } from '../files/file-cache';
import { createMediaAccess, type MediaAccess } from '../files/media-access';
import { sendFile } from '../files/media-sender';
import { localIdOfKey } from '../views/message-view';
import type { Session } from './session';

type MediaMethods = 'media.send' | 'media.fetch';

export interface MediaHandlers {
  readonly handlers: Pick<ApiHandlers, MediaMethods>;
  /** A new session: its file-service grant is followed from its first login on. */
  attach(session: Session): void;
  /** The session ended: its cache closes. */
  detach(): void;
}

interface Attached {
  readonly session: Session;
  readonly access: MediaAccess;
  readonly cache: FileCache;
}

/**
 * The contract's media calls. The sandboxed page has no paths, so it hands over bytes: they are
 * written to the profile's outgoing folder, uploaded with tus, then sent. Fetching goes through the
 * profile's file cache (offline browsing shows what was fetched once) and hands the bytes back, so
 * both shells show them from a blob: URL without serving files of their own.
 */
export function createMediaHandlers(deps: {
  readonly profileDir: string;
  readonly requireSession: () => Session;
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
  readonly log: Logger;
}): MediaHandlers {
  let attached: Attached | undefined;

  const current = (): Attached => {
    const session = deps.requireSession();
    if (attached?.session !== session) throw new MagpieError(ErrorCode.NOT_LOGGED_IN, 'sign in first');
    return attached;
  };

  const detach = () => {
    attached?.access.dispose();
    attached?.cache.close();
    attached = undefined;
  };

  return {
    attach(session) {
      detach();
      const { client } = session;
      attached = {
        session,
        access: createMediaAccess(client),
        cache: openFileCache({ dir: fileCacheDir(deps.profileDir, client.appId, client.selfId), maxBytes: DEFAULT_FILE_CACHE_BYTES, clock: client.clock }),
      };
    },
    detach,
    handlers: {
      'media.send': async (args) => {
        const { session, access } = current();
        const bytes = Buffer.from(args.bytes, 'base64');
        if (bytes.length === 0) throw new MagpieError(ErrorCode.BAD_ARGUMENT, 'an empty file is not sent');
        if (bytes.length > MEDIA_LIMITS.maxSendBytes) throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `at most ${MEDIA_LIMITS.maxSendBytes} bytes from the page`);
        const dir = join(deps.profileDir, 'outgoing');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const path = join(dir, randomBytes(12).toString('hex'));
        await writeFile(path, bytes, { mode: 0o600 });
        try {
          return await sendFile(session.chat, access, {
            to: args.conversation,
            path,
            kind: args.kind,
            name: args.name,
            ...(args.durationMs ? { durationMs: args.durationMs } : {}),
            onProgress: (loaded, total) => deps.emit('media.progress', { ref: args.ref ?? '', loaded, total }),
          });
        } finally {
          await rm(path, { force: true });
        }
      },
      'media.fetch': async (args) => {
        const { session, access, cache } = current();
        const localId = localIdOfKey(args.key);
        const message = localId === undefined ? undefined : session.client.store.messages.getByLocalId(localId);
        const media = message?.body.media;
        if (!media) throw new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no media message ${args.key}`);
        const thumb = args.thumb === true && media.mime.startsWith('image/');
        const fileId = thumb ? `${media.fileId}.thumb` : media.fileId;
        const cached = await cache.fetch(fileId, thumb ? 'image/webp' : media.mime, async (dest) => {
          const grant = await access.grant();
          const downloaded = await downloadFile({
            baseUrl: grant.baseUrl,
            token: () => grant.token,
            fileId,
            dest,
            ...(!thumb && media.sha256 ? { sha256: media.sha256 } : {}),
            onProgress: (loaded, total) => deps.emit('media.progress', { ref: args.key, loaded, total }),
          });
          deps.log.debug({ fileId, size: downloaded.size }, 'media fetched');
        });
        if (cached.size > MEDIA_LIMITS.maxFetchBytes) throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `a file over ${MEDIA_LIMITS.maxFetchBytes} bytes is not handed to the page`);
        return { mime: cached.mime, size: cached.size, bytes: (await readFile(cached.path)).toString('base64') };
      },
    },
  };
}
