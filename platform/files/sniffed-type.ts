import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';

/** The sizes a BMP's DIB header can have (BITMAPCOREHEADER to BITMAPV5HEADER). */
const BMP_HEADER_SIZES: ReadonlySet<number> = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/**
 * The media type a file's bytes have (never its name), or undefined when they say none: the
 * server's intake and the sender's own copy before its upload is done type a file alike. file-type
 * calls anything that starts with "BM" a BMP, so a text that begins "BMW …" was typed image/bmp and
 * a page opened it as a broken picture: a BMP must also have its reserved bytes zero and a DIB
 * header of a size that exists.
 */
export async function sniffedTypeOfFile(path: string): Promise<string | undefined> {
  const sniffed = (await fileTypeFromFile(path))?.mime;
  if (sniffed !== 'image/bmp') return sniffed;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(18);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const plausible = bytesRead === head.length && head.readUInt32LE(6) === 0 && BMP_HEADER_SIZES.has(head.readUInt32LE(14));
    return plausible ? sniffed : undefined;
  } finally {
    await handle.close();
  }
}
