/**
 * What bytes may go out as which kind of media message, shared by the server that checks an upload
 * and the clients that check before they store or upload one, so the two never disagree. Pure: it
 * reads the first bytes (or the media type a sniffer made of them), never a file.
 */

/** How many of a file's first bytes isShownImage reads. */
export const SHOWN_IMAGE_HEAD_BYTES = 16;

/**
 * Whether bytes go out as an image: only when they start with the signature of an image the app
 * shows and the server measures and thumbnails (PNG, JPEG, GIF, WebP, AVIF). The file's name and
 * declared type do not decide: an SVG (a document with scripts, not a picture the server
 * thumbnails), a BMP or a phone's HEIC photo (the server's image library cannot decode either: of
 * the HEIF family it reads AVIF only) or a file named .png that is not one goes as a file, sent,
 * where as an image the server would refuse it.
 */
export function isShownImage(head: Uint8Array): boolean {
  const starts = (bytes: readonly number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
  const ascii = (text: string, at = 0) => starts([...text].map((c) => c.charCodeAt(0)), at);
  return (
    starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ||
    starts([0xff, 0xd8, 0xff]) ||
    ascii('GIF87a') ||
    ascii('GIF89a') ||
    (ascii('RIFF') && ascii('WEBP', 8)) ||
    (ascii('ftyp', 4) && (ascii('avif', 8) || ascii('avis', 8)))
  );
}

/**
 * Whether a media type sniffed from the bytes is one a voice message may have: audio, or the WebM
 * and Ogg containers a recorder writes (sniffed as video/webm, video/ogg when no track says audio).
 */
export function isVoiceMime(sniffed: string | undefined): sniffed is string {
  return sniffed !== undefined && (sniffed.startsWith('audio/') || sniffed === 'video/webm' || sniffed === 'video/ogg');
}
