import { ErrorCode, isShownImage, isVoiceMime, MagpieError } from '../../protocol';
import { sniffedTypeOfFile } from '../../platform/files';
import type { MediaKindName } from './uploader';

/**
 * The kind bytes from the page go out as. The page is sandboxed and not trusted: the kind it names
 * is a wish, and the core types the bytes itself with the rule the composer, the CLI and the
 * server share (protocol/media-kinds.ts, and the server's own sniffer for audio):
 *  - image: only the signature of a picture the app shows; anything else goes as a file, as the
 *    composer sends what is not such a picture (an EXE named photo.png is a file card, never an image);
 *  - voice: only audio; anything else is refused (FILE_TYPE_REFUSED) and nothing is stored: the
 *    recorder always gives audio, so other bytes named a voice message are no recording at all;
 *  - file: anything, as it is (a picture sent as a file stays a file: the user asked so).
 */
export async function sendableKind(claimed: MediaKindName, head: Uint8Array, path: string): Promise<MediaKindName> {
  switch (claimed) {
    case 'image':
      return isShownImage(head) ? 'image' : 'file';
    case 'voice': {
      const sniffed = await sniffedTypeOfFile(path).catch(() => undefined);
      if (isVoiceMime(sniffed)) return 'voice';
      throw new MagpieError(ErrorCode.FILE_TYPE_REFUSED, `a voice message is audio; these bytes are ${sniffed ?? 'of no type magpie knows'}`);
    }
    case 'file':
      return 'file';
  }
}
