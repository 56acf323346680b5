import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, SHOWN_IMAGE_HEAD_BYTES } from '../../protocol';
import { sniffedTypeOfFile } from '../../platform/files';
import type { EventName, EventPayloads } from '../../preload/api';
import { MEDIA_LIMITS } from '../../preload/api';
import type { ApiHandlers } from '../api/dispatch';
import { safeFileName, type DesktopFiles } from '../files/desktop-files';
import { downloadFile } from '../files/downloader';
import { DEFAULT_FILE_CACHE_BYTES, fileCacheDir, openFileCache, type CachedFile, type FileCache } from '../files/file-cache';
import { imageSides, oversizedForView, pageShowsImage, viewCopy } from '../files/image-view';
import { createMediaAccess, type MediaAccess } from '../files/media-access';
import { createMediaOutbox, type MediaOutbox } from '../files/media-outbox';
import { sendableKind } from '../files/sendable-kind';
import type { MediaKindName } from '../files/uploader';
import { clientStorePath } from '../store';
import { localIdOfKey, messageKey, toMessageView } from '../views/message-view';
import type { Session } from './session';

type MediaMethods = 'media.send' | 'media.fetch' | 'media.open' | 'media.save';

/** The side an own large picture's thumbnail is scaled to before its upload (the server's thumbnails fit 320 px too). */
const LOCAL_THUMB_SIDE_PX = 320;

/** How a refusal names what was handed over. */
const KIND_WORDS: Record<MediaKindName, string> = { image: 'an image', voice: 'a voice message', file: 'a file' };

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
  readonly outbox: MediaOutbox;
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
  /** The desktop shell's open and save (Electron); absent in the web shell. */
  readonly desktopFiles?: DesktopFiles;
}): MediaHandlers {
  let attached: Attached | undefined;

  const current = (): Attached => {
    const session = deps.requireSession();
    if (attached?.session !== session) throw new MagpieError(ErrorCode.NOT_LOGGED_IN, 'sign in first');
    return attached;
  };

  const detach = () => {
    attached?.outbox.dispose();
    attached?.access.dispose();
    attached?.cache.close();
    attached = undefined;
  };

  const desktopFiles = (): DesktopFiles => {
    if (!deps.desktopFiles) throw new MagpieError(ErrorCode.METHOD_UNAVAILABLE, 'this shell opens and saves files in the page');
    return deps.desktopFiles;
  };

  /** A media message's file (or thumbnail) in the profile's cache, downloaded first when it is not there. */
  const fetchToCache = async (key: string, wantThumb: boolean) => {
    const { session, access, cache } = current();
    const localId = localIdOfKey(key);
    const message = localId === undefined ? undefined : session.client.store.messages.getByLocalId(localId);
    const media = message?.body.media;
    if (!media) throw new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no media message ${key}`);
    if (!media.fileId) throw new MagpieError(ErrorCode.UPLOAD_NOT_FOUND, `${media.name}: not uploaded yet`);
    const thumb = wantThumb && media.mime.startsWith('image/');
    const fileId = thumb ? `${media.fileId}.thumb` : media.fileId;
    return cache.fetch(fileId, thumb ? 'image/webp' : media.mime, async (dest) => {
      const grant = await access.grant();
      const downloaded = await downloadFile({
        baseUrl: grant.baseUrl,
        token: () => grant.token,
        fileId,
        dest,
        ...(!thumb && media.sha256 ? { sha256: media.sha256 } : {}),
        onProgress: (loaded, total) => deps.emit('media.progress', { ref: key, loaded, total }),
      });
      deps.log.debug({ fileId, size: downloaded.size }, 'media fetched');
    });
  };

  /**
   * The sender's own file while its upload is not done: the bytes are here (the picked file or the
   * profile's outgoing copy), so they are shown from it instead of waiting for the server.
   */
  const localCopy = async (key: string): Promise<CachedFile | undefined> => {
    const { session } = current();
    const { store } = session.client;
    const message = store.messages.getByLocalId(localIdOfKey(key) ?? 0);
    if (!message?.clientMsgId || message.body.media?.fileId) return undefined;
    const upload = store.uploads.get(message.clientMsgId);
    if (!upload) return undefined;
    const source = await stat(upload.path).catch(() => undefined);
    if (!source?.isFile()) throw new MagpieError(ErrorCode.FILE_SOURCE_MISSING, `${upload.name}: the file to send is gone`);
    // the server's sniffed type comes with the upload; until then the same sniffing says what it is
    const mime = (await sniffedTypeOfFile(upload.path).catch(() => undefined)) ?? 'application/octet-stream';
    return { fileId: `local-${message.clientMsgId}`, path: upload.path, size: source.size, mime };
  };

  /**
   * Uses a media message's bytes: the sender's own copy while its upload is not done, else the
   * cache. The own copy is removed once the upload is done, and the message names its file id from
   * then on, so a copy that went between the look and the read is read from the cache instead.
   */
  const withBytes = async <T>(key: string, wantThumb: boolean, use: (file: CachedFile) => Promise<T>): Promise<T> => {
    try {
      const local = await localCopy(key);
      if (local) return await use(local);
    } catch (error) {
      if (!uploadedMeanwhile(key)) throw error;
    }
    return use(await fetchToCache(key, wantThumb));
  };
  const uploadedMeanwhile = (key: string) => Boolean(current().session.client.store.messages.getByLocalId(localIdOfKey(key) ?? 0)?.body.media?.fileId);

  /** Uses the whole file and the name it is shown under, as one safe file name. */
  const withFile = <T>(key: string, use: (file: CachedFile, name: string) => Promise<T>): Promise<T> =>
    withBytes(key, false, (file) => {
      const media = current().session.client.store.messages.getByLocalId(localIdOfKey(key) ?? 0)?.body.media;
      return use(file, safeFileName(media?.name ?? '', file.fileId));
    });

  return {
    attach(session) {
      detach();
      const { client } = session;
      const access = createMediaAccess(client);
      attached = {
        session,
        access,
        cache: openFileCache({ dir: fileCacheDir(deps.profileDir, client.appId, client.selfId), maxBytes: DEFAULT_FILE_CACHE_BYTES, clock: client.clock }),
        outbox: createMediaOutbox({
          client,
          access,
          log: deps.log,
          onProgress: (clientMsgId, loaded, total) => {
            const message = client.store.messages.getByClientMsgId(clientMsgId);
            if (message) deps.emit('media.progress', { ref: messageKey(message), loaded, total });
          },
        }),
      };
      // a sign-out during the sweep closes the store: what uploads keep cannot be read, so nothing is removed
      void sweepOutgoing(outgoingDir(deps.profileDir, client), () => new Set(client.store.uploads.ownedPaths()), Date.now()).catch((error: unknown) =>
        deps.log.debug({ err: error }, 'outgoing copies not swept'),
      );
      // copies handed to other apps by an earlier session: those apps have had them
      void rm(openedDir(deps.profileDir, client), { recursive: true, force: true }).catch((error: unknown) =>
        deps.log.debug({ err: error }, 'earlier opened copies not removed'),
      );
    },
    detach,
    handlers: {
      'media.send': async (args) => {
        const { session, outbox } = current();
        // handed over again under an id already stored: that message, with no second copy of its bytes
        const known = args.clientMsgId === undefined ? undefined : session.client.store.messages.getByClientMsgId(args.clientMsgId);
        if (known) return toMessageView(known);
        const bytes = Buffer.from(args.bytes, 'base64');
        if (bytes.length === 0) throw new MagpieError(ErrorCode.FILE_EMPTY, 'an empty file is not sent');
        if (bytes.length > MEDIA_LIMITS.maxSendBytes) throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `at most ${MEDIA_LIMITS.maxSendBytes} bytes from the page`);
        const dir = outgoingDir(deps.profileDir, session.client);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const path = join(dir, randomBytes(12).toString('hex'));
        await writeFile(path, bytes, { mode: 0o600 });
        try {
          // the page's kind is a wish: the bytes say what goes out (an "image" that is none goes as a file)
          const kind = await sendableKind(args.kind, bytes.subarray(0, SHOWN_IMAGE_HEAD_BYTES), path);
          // what the server would refuse for its size is not stored to fail at its upload: no Retry could help it
          const serverLimit = session.client.serverLimits.mediaBytes[kind];
          if (bytes.length > serverLimit) {
            throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `${KIND_WORDS[kind]} of ${bytes.length} bytes: the server takes at most ${serverLimit} bytes`);
          }
          // the copy stays until the upload is done (or the message withdrawn): it is what a restart resumes from
          return await outbox.send({
            to: args.conversation,
            path,
            kind,
            name: args.name,
            owned: true,
            ...(kind === 'voice' && args.durationMs ? { durationMs: args.durationMs } : {}),
            ...(args.clientMsgId ? { clientMsgId: args.clientMsgId } : {}),
          });
        } catch (error) {
          await rm(path, { force: true });
          throw error;
        }
      },
      'media.fetch': async (args) => {
        // an own image not uploaded yet has no thumbnail: the page scales the whole one, unless too large
        return withBytes(args.key, args.thumb === true, async (cached) => {
          const local = cached.fileId.startsWith('local-');
          // the viewer's picture, or an own picture's whole file as its thumbnail: scaled when too large to decode in the page
          const scaling = cached.mime.startsWith('image/') && (args.thumb === true ? local : args.view === true);
          const scaledFrom = scaling ? await oversizedForView(cached.path) : undefined;
          // a picture the page cannot decode (a TIFF sent by the CLI or an app server) would show as a broken image
          const converting = scaling && !pageShowsImage(cached.mime) && (await imageSides(cached.path)) !== undefined;
          if (scaledFrom || converting) {
            const side = args.thumb ? LOCAL_THUMB_SIDE_PX : MEDIA_LIMITS.viewScaledSidePx;
            // a server file's copy is kept beside it in the cache; an own copy not uploaded yet is scaled each time
            const bytes = local
              ? await viewCopy(cached.path, side)
              : await readFile((await current().cache.fetch(`${cached.fileId}.view`, 'image/webp', async (dest) => writeFile(dest, await viewCopy(cached.path, side)))).path);
            return { mime: 'image/webp', size: bytes.length, bytes: bytes.toString('base64'), ...(scaledFrom ? { scaledFrom } : {}) };
          }
          if (cached.size > MEDIA_LIMITS.maxFetchBytes) throw new MagpieError(ErrorCode.FILE_TOO_LARGE, `a file over ${MEDIA_LIMITS.maxFetchBytes} bytes is not handed to the page`);
          return { mime: cached.mime, size: cached.size, bytes: (await readFile(cached.path)).toString('base64') };
        });
      },
      'media.open': async (args) => {
        const files = desktopFiles();
        // the cache names files by id: the system picks the app by the name, so a named copy is opened;
        // always in the profile, even when the bytes are still the user's own file awaiting upload
        const { path, name } = await withFile(args.key, async (cached, name) => {
          const dir = join(openedDir(deps.profileDir, current().session.client), cached.fileId);
          await mkdir(dir, { recursive: true, mode: 0o700 });
          const path = join(dir, name);
          await copyFile(cached.path, path);
          return { path, name };
        });
        const failure = await files.openPath(path);
        if (failure) throw new MagpieError(ErrorCode.NOT_ALLOWED, `${name} could not be opened: ${failure}`);
        return null;
      },
      'media.save': async (args) => {
        const files = desktopFiles();
        // asked once, even when the bytes are read a second time (an own copy whose upload just ended)
        let dest: string | null | undefined;
        const saved = await withFile(args.key, async (cached, name) => {
          dest ??= (await files.askSavePath(name)) ?? null;
          if (dest === null) return false;
          await copyFile(cached.path, dest);
          return true;
        });
        return { saved };
      },
    },
  };
}

/** Where the page's bytes wait for their upload: the user's own folder in the profile, beside the database. */
function outgoingDir(profileDir: string, client: { readonly appId: string; readonly selfId: string }): string {
  return join(dirname(clientStorePath(profileDir, client.appId, client.selfId)), 'outgoing');
}

/** Where copies handed to the system's apps go: beside the outgoing folder, emptied at each sign-in. */
function openedDir(profileDir: string, client: { readonly appId: string; readonly selfId: string }): string {
  return join(dirname(outgoingDir(profileDir, client)), 'opened');
}

/**
 * Copies no upload waits for any more (a message withdrawn, or one sent just before a crash) are
 * removed. What uploads keep is read after the folder, and a copy written since the sweep began is
 * left alone: a media.send racing the sweep must not lose its bytes.
 */
async function sweepOutgoing(dir: string, keep: () => ReadonlySet<string>, startedAtMs: number): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const kept = keep();
  await Promise.all(
    names
      .map((name) => join(dir, name))
      .filter((path) => !kept.has(path))
      .map(async (path) => {
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile() || info.mtimeMs >= startedAtMs) return;
        await rm(path, { force: true }).catch(() => undefined);
      }),
  );
}
