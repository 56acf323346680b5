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

  it('a phone’s HEIC or HEIF photo is no picture to send as such (the server reads AVIF only of that family); an AVIF is', async () => {
    const ftyp = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(`ftyp${brand}\0\0\0\0mif1${brand}`, 'latin1')]);
    for (const brand of ['heic', 'heix', 'hevc', 'mif1', 'msf1']) expect(isShownImage(await fileHead(new Blob([ftyp(brand)])))).toBe(false);
    expect(isShownImage(await fileHead(new Blob([ftyp('avif')])))).toBe(true);
  });
});
