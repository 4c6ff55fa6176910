/**
 * Real images made in the test, so every run uploads new files (asset ids are the SHA-256 of the bytes).
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A real 8-bit RGB PNG: a sky-to-snow gradient with a mountain, its colours shifted by random
 * bytes so every run uploads a new file (asset ids are the SHA-256 of the bytes).
 */
export function mountainPng(width: number, height: number): Buffer {
  const [dr, dg, db] = randomBytes(3);
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height); // filter byte 0 (None) on every row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ridge = height * 0.35 + Math.abs(x - width / 2) * 0.6;
      const rock = y > ridge;
      const i = y * stride + 1 + x * 3;
      raw[i] = rock ? (90 + dr / 4) & 0xff : (40 + (y * 120) / height + dr / 8) & 0xff;
      raw[i + 1] = rock ? (100 + dg / 4) & 0xff : (110 + (y * 100) / height) & 0xff;
      raw[i + 2] = rock ? (110 + db / 4) & 0xff : (200 + (x * 50) / width) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
