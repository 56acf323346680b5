import { access as accessFile, constants, open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, isShownImage, isVoiceMime, MagpieError, SHOWN_IMAGE_HEAD_BYTES, type ServerLimits } from '../../protocol';
import { sniffedTypeOfFile } from '../../platform/files';
import { downloadFile } from '../files/downloader';
import { DEFAULT_FILE_CACHE_BYTES, fileCacheDir, openFileCache } from '../files/file-cache';
import { safeFileName } from '../files/desktop-files';
import { createMediaAccess } from '../files/media-access';
import { createMediaOutbox } from '../files/media-outbox';
import type { MediaKindName } from '../files/uploader';
import type { CommandOf } from './args';
import { CliExit, cliLogger, ExitCode, type CliIo, type CliSession } from './cli-session';
import { awaitSentUnlessRefused } from './sent-report';
import { prepareOutDir, saveIntoFolder } from './download-target';

/**
 * send --file/--image/--voice: connects, stores the message with its upload (so a cut or a later
 * run resumes it), uploads (progress on stderr), then waits for the message's receipt. A file the
 * server would refuse for its size (or a voice message for its length) is refused once logged in,
 * against the limits the server told, before anything is stored.
 */
export async function runSendFile(session: CliSession, io: CliIo, command: CommandOf<'send-file'>): Promise<number> {
  const size = await requireSendableFile(command.path);
  await requireBytesOfKind(command.path, command.mediaKind);
  const access = createMediaAccess(session.client);
  let lastTenth = -1;
  const outbox = createMediaOutbox({
    client: session.client,
    access,
    log: cliLogger(),
    onProgress: (_id, sent, total) => {
      const tenth = Math.floor((sent / Math.max(total, 1)) * 10);
      if (tenth !== lastTenth) io.err({ progress: { sent, total } });
      lastTenth = tenth;
    },
  });
  const stop = () => outbox.dispose();
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    const connected = session.connect();
    await connected;
    requireWithinServerLimits(command, size, session.client.serverLimits);
    const view = await outbox.send({
      to: command.to,
      path: resolve(command.path),
      kind: command.mediaKind,
      ...(command.durationMs ? { durationMs: command.durationMs } : {}),
    });
    return await awaitSentUnlessRefused(session, io, [view.clientMsgId!], connected);
  } finally {
    io.signal.removeEventListener('abort', stop);
    outbox.dispose();
    access.dispose();
  }
}

const NOT_UTF8_NAME =
  'no such file by this name: a name with bytes that are not UTF-8 (shown as \uFFFD) does not reach magpie as it is on disk; rename the file with a UTF-8 name and send it again';

const KIND_WORDS: Record<MediaKindName, string> = { image: 'an image', voice: 'a voice message', file: 'a file' };

/** Bytes as people read them: 104857601 bytes (100.0 MiB). */
function sizeWords(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${bytes} bytes (${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB)`;
}

function refusal(path: string, why: string): CliExit {
  return new CliExit(ExitCode.USAGE, new MagpieError(ErrorCode.BAD_ARGUMENT, `cannot send ${path}: ${why}`));
}

/**
 * A path that is not a readable regular file, or an empty file, is the caller's mistake (exit 2),
 * found before connecting: no message is stored for it. Answers the file's size.
 */
async function requireSendableFile(path: string): Promise<number> {
  const refuse = (why: string) => refusal(path, why);
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw refuse(error.message);
    // bytes of a name that are not UTF-8 arrive here as U+FFFD: the file may well be there
    throw refuse(path.includes('\uFFFD') ? NOT_UTF8_NAME : 'no such file');
  });
  if (!found.isFile()) throw refuse('not a regular file');
  if (found.size === 0) throw refuse('an empty file is not sent');
  await accessFile(path, constants.R_OK).catch(() => {
    throw refuse('not readable');
  });
  return found.size;
}

/**
 * An image that is not one the app shows, or a voice message that is not audio, is the caller's
 * mistake too (exit 2), found before connecting: as an image or voice message the server would
 * take its upload, then refuse it (FILE_TYPE_REFUSED) and leave it failed in the outbox. The app's
 * composer decides so too (protocol/media-kinds.ts): what is not a picture goes as a file.
 */
async function requireBytesOfKind(path: string, kind: MediaKindName): Promise<void> {
  const suggestion = `send it as a file: --file ${path}`;
  if (kind === 'image') {
    if (isShownImage(await fileHead(path))) return;
    throw refusal(path, `it is not an image (its bytes are not PNG, JPEG, GIF, WebP or AVIF, whatever its name); ${suggestion}`);
  }
  if (kind === 'voice') {
    // typed as the server's intake types it (one sniffer for both)
    const sniffed = await sniffedTypeOfFile(path).catch(() => undefined);
    if (isVoiceMime(sniffed)) return;
    throw refusal(path, `it is not audio (its bytes are ${sniffed ?? 'of no type magpie knows'}), which a voice message must be; ${suggestion}`);
  }
}

async function fileHead(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(SHOWN_IMAGE_HEAD_BYTES);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * A file over the server's limit for its kind, or a voice message longer than it takes (the
 * limits its LOGIN_RESULT told), is the caller's mistake too (exit 2), as the app's composer
 * refuses it at once: found before the message is stored, so none is left in the outbox.
 */
function requireWithinServerLimits(command: CommandOf<'send-file'>, size: number, limits: ServerLimits): void {
  const kind = command.mediaKind;
  const limit = limits.mediaBytes[kind];
  if (size > limit) throw refusal(command.path, `the file is ${sizeWords(size)}; the server takes ${KIND_WORDS[kind]} of at most ${sizeWords(limit)}`);
  if (kind === 'voice' && command.durationMs !== undefined && command.durationMs > limits.maxVoiceDurationMs) {
    throw refusal(command.path, `--duration is ${command.durationMs} ms; the server takes a voice message of at most ${limits.maxVoiceDurationMs} ms`);
  }
}

/**
 * download MSGID --out DIR: a media message's file (checked against its sha256), through the
 * profile's file cache: a file fetched once is copied out again offline, without connecting.
 */
export async function runDownload(session: CliSession, io: CliIo, command: CommandOf<'download'>): Promise<number> {
  const { client } = session;
  const access = createMediaAccess(client);
  const cache = openFileCache({ dir: fileCacheDir(session.profileDir, client.appId, client.selfId), maxBytes: DEFAULT_FILE_CACHE_BYTES, clock: client.clock });
  try {
    let connected = false;
    const connect = async () => {
      if (!connected) await session.connect();
      connected = true;
    };
    let message = client.store.messages.getByMsgId(command.msgId);
    if (!message) {
      await connect();
      message = client.store.messages.getByMsgId(command.msgId);
    }
    const media = message?.body.media;
    // a revoked or burned message's file is no one's to fetch any more (the server answers 403): said as such, not as an id unknown
    if (message?.revoked === true || message?.burned === true) {
      const why = message.revoked ? 'was revoked' : 'was burned after reading';
      throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `message ${command.msgId} ${why}: its file can no longer be downloaded`));
    }
    if (!message || !media) throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no media message ${command.msgId} here`));
    await prepareOutDir(command.outDir);
    // a file not fetched before needs the server: a server out of reach is said as such (why,
    // NOT_CONNECTED) rather than as a download that gave no result in time
    if (cache.get(media.fileId) === undefined) await connect();
    const cached = await session.deadline.race(
      cache.fetch(media.fileId, media.mime, async (path) => {
        await connect();
        const grant = await access.grant();
        await downloadFile({
          baseUrl: grant.baseUrl,
          token: () => grant.token,
          fileId: media.fileId,
          dest: path,
          ...(media.sha256 ? { sha256: media.sha256 } : {}),
          signal: io.signal,
        });
      }),
      'downloading',
    );
    const dest = await saveIntoFolder(cached.path, command.outDir, safeFileName(media.name, media.fileId));
    io.out({ id: String(command.msgId), path: dest, name: media.name, size: cached.size, mime: media.mime, sha256: media.sha256 ?? '' });
    return ExitCode.OK;
  } finally {
    cache.close();
    access.dispose();
  }
}
