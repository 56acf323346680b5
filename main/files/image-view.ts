import sharp from 'sharp';
import { ErrorCode, MagpieError } from '../../protocol';
import { MEDIA_LIMITS } from '../../preload/api';

/** An image's sides, as its file's header says them. */
export interface ImageSides {
  readonly width: number;
  readonly height: number;
}

/**
 * Picture types the page decodes itself (Chromium's). The server also takes pictures the page
 * cannot show (TIFF, which its image library reads): the viewer gets those as a WebP copy.
 */
const PAGE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/apng', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** Whether the page shows a picture of this (sniffed) type as it is; a type it cannot decode needs a copy. */
export function pageShowsImage(mime: string): boolean {
  return PAGE_IMAGE_TYPES.has(mime.split(';')[0]!.trim().toLowerCase());
}

/** An image's sides as people see them, from its header; undefined for none sharp reads. */
export async function imageSides(path: string): Promise<ImageSides | undefined> {
  const meta = await sharp(path).metadata().catch(() => undefined);
  if (!meta?.width || !meta.height) return undefined;
  // EXIF orientations 5-8 swap the sides as people see them
  return (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/**
 * The sides of an image too large for the viewer to decode in the page (more than
 * MEDIA_LIMITS.maxViewPixels), or undefined for one it shows as it is (or that is no image sharp
 * reads: the page shows it, or fails to, as before). Only the header is read.
 */
export async function oversizedForView(path: string): Promise<ImageSides | undefined> {
  const sides = await imageSides(path);
  return sides && sides.width * sides.height > MEDIA_LIMITS.maxViewPixels ? sides : undefined;
}

/**
 * A page's copy of a large image, as WebP bytes (alpha kept): turned as its EXIF says, as the
 * server's thumbnail is, and scaled to fit in a square of sidePx (the viewer's
 * MEDIA_LIMITS.viewScaledSidePx). libvips streams the decode, so the core never holds the whole
 * picture's pixels either (16000 × 16000 to 4096: 0.8 s). One past sharp's pixel limit
 * (16383 × 16383, the server's too) is not scaled: FILE_TOO_LARGE.
 */
export async function viewCopy(path: string, sidePx: number): Promise<Buffer> {
  try {
    return await sharp(path).rotate().resize(sidePx, sidePx, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 85 }).toBuffer();
  } catch (error) {
    throw new MagpieError(ErrorCode.FILE_TOO_LARGE, 'the image is too large to show here: open or save it', { cause: error });
  }
}
