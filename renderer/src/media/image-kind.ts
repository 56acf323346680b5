import { isShownImage, SHOWN_IMAGE_HEAD_BYTES } from '../../../preload/api';

/** Whether picked bytes go out as an image: the one rule the core and the CLI use too (protocol/media-kinds.ts). */
export { isShownImage };

/** The first bytes of a picked file, enough for isShownImage. */
export async function fileHead(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, SHOWN_IMAGE_HEAD_BYTES).arrayBuffer());
}
