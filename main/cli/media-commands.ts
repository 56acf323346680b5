import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ErrorCode, MagpieError } from '../../protocol';
import { downloadFile } from '../files/downloader';
import { createMediaAccess } from '../files/media-access';
import { sendFile } from '../files/media-sender';
import type { Command } from './args';
import { CliExit, ExitCode, type CliIo, type CliSession } from './cli-session';
import { awaitSentUnlessRefused } from './chat-commands';

type CommandOf<K extends Command['kind']> = Extract<Command, { kind: K }>;

/** send --file/--image/--voice: connects, uploads (progress on stderr), then sends the message. */
export async function runSendFile(session: CliSession, io: CliIo, command: CommandOf<'send-file'>): Promise<number> {
  const access = createMediaAccess(session.client);
  try {
    const connected = session.connect();
    await connected;
    let lastTenth = -1;
    const view = await session.deadline.race(
      sendFile(session.chat, access, {
        to: command.to,
        path: command.path,
        kind: command.mediaKind,
        ...(command.durationMs ? { durationMs: command.durationMs } : {}),
        signal: io.signal,
        onProgress: (sent, total) => {
          const tenth = Math.floor((sent / Math.max(total, 1)) * 10);
          if (tenth !== lastTenth) io.err({ progress: { sent, total } });
          lastTenth = tenth;
        },
      }),
      'uploading',
    );
    return await awaitSentUnlessRefused(session, io, [view.clientMsgId!], connected);
  } finally {
    access.dispose();
  }
}

/** download MSGID --out DIR: fetches a media message's file (checked against its sha256). */
export async function runDownload(session: CliSession, io: CliIo, command: CommandOf<'download'>): Promise<number> {
  const access = createMediaAccess(session.client);
  try {
    await session.connect();
    const message = session.client.store.messages.getByMsgId(command.msgId);
    const media = message?.body.media;
    if (!message || !media) throw new CliExit(ExitCode.REFUSED, new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no media message ${command.msgId} here`));
    await mkdir(command.outDir, { recursive: true });
    // the sender's name is a display name, never a path
    const name = basename(media.name.replace(/\\/g, '/')) || media.fileId;
    const dest = resolve(join(command.outDir, name === '.' || name === '..' ? media.fileId : name));
    const grant = await access.grant();
    const got = await session.deadline.race(
      downloadFile({
        baseUrl: grant.baseUrl,
        token: () => grant.token,
        fileId: media.fileId,
        dest,
        ...(media.sha256 ? { sha256: media.sha256 } : {}),
        signal: io.signal,
      }),
      'downloading',
    );
    io.out({ id: String(command.msgId), path: got.path, name: media.name, size: got.size, mime: media.mime, sha256: media.sha256 ?? '' });
    return ExitCode.OK;
  } finally {
    access.dispose();
  }
}
