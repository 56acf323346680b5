/** A 2 × 2, 24-bit BMP: a real BMP header (the server's check and the client's agree on it), white pixels. */
export function tinyBmp(): Buffer {
  const bmp = Buffer.alloc(70);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(70, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(2, 18);
  bmp.writeInt32LE(2, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(16, 34);
  return bmp;
}
