/**
 * What an uploaded still is, read from its header bytes alone (never decoded here): PNG or JPEG,
 * and its size. Pure. The helper refuses anything else before ffmpeg ever sees it.
 */
export interface ImageInfo {
  type: 'png' | 'jpeg';
  width: number;
  height: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function imageInfo(b: Uint8Array): ImageInfo | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // PNG: the signature, then the IHDR chunk first (length 13) with width and height.
  if (b.length >= 33 && PNG_MAGIC.every((x, i) => b[i] === x) && String.fromCharCode(...b.subarray(12, 16)) === 'IHDR') {
    return { type: 'png', width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  // JPEG: SOI, then segments until a start-of-frame marker (C0-CF except C4, C8, CC) carries the size.
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame header
      const len = dv.getUint16(i + 2);
      if (len < 2) return null;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { type: 'jpeg', height: dv.getUint16(i + 5), width: dv.getUint16(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}
