import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fileHead, isShownImage } from '../../../renderer/src/media/image-kind';

describe('isShownImage', () => {
  it('knows the pictures the app shows by their first bytes', async () => {
    const picture = sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } });
    for (const bytes of [await picture.clone().png().toBuffer(), await picture.clone().jpeg().toBuffer(), await picture.clone().gif().toBuffer(), await picture.clone().webp().toBuffer()]) {
      expect(isShownImage(await fileHead(new Blob([bytes])))).toBe(true);
    }
  });

  it('an SVG, text named .png, an empty file, a PDF and a BMP (which the server cannot decode) are not pictures to send as such', async () => {
    for (const text of ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'not a png', '', '%PDF-1.4', 'BM6\u0000\u0000\u0000', 'BMW, Audi and others']) {
      expect(isShownImage(await fileHead(new Blob([text])))).toBe(false);
    }
  });
});
