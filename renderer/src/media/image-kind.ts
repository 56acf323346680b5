/**
 * Whether picked bytes go out as an image: only when they start with the signature of an image the
 * app shows and the server measures and thumbnails (PNG, JPEG, GIF, WebP, AVIF). The file's name and
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

/** The first bytes of a picked file, enough for isShownImage. */
export async function fileHead(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, 16).arrayBuffer());
}
