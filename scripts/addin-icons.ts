import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * Draws the add-in's icons (a white "R" on Rapport blue) as PNGs into outlook-addin/assets/.
 * Run once when the design changes: `npx tsx scripts/addin-icons.ts`. Output is committed.
 */
const SIZES = [16, 32, 64, 80, 128];
const BLUE = [0x0f, 0x6c, 0xbd];

// 7x9 bitmap of the letter R
const GLYPH = ['111110.', '11..11.', '11..11.', '11..11.', '111110.', '11.11..', '11..11.', '11..11.', '11...11'];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function icon(size: number): Buffer {
  const radius = size * 0.18;
  const glyphH = Math.round(size * 0.62);
  const cell = glyphH / GLYPH.length;
  const glyphW = cell * 7;
  const x0 = (size - glyphW) / 2 + cell * 0.5;
  const y0 = (size - glyphH) / 2;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      // rounded square mask
      const dx = Math.max(radius - x - 0.5, x + 0.5 - (size - radius), 0);
      const dy = Math.max(radius - y - 0.5, y + 0.5 - (size - radius), 0);
      const inside = Math.hypot(dx, dy) <= radius;
      const gx = Math.floor((x + 0.5 - x0) / cell);
      const gy = Math.floor((y + 0.5 - y0) / cell);
      const on = GLYPH[gy]?.[gx] === '1';
      const o = 1 + x * 4;
      if (!inside) continue; // transparent
      const [r, g, b] = on ? [255, 255, 255] : BLUE;
      row[o] = r!;
      row[o + 1] = g!;
      row[o + 2] = b!;
      row[o + 3] = 255;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve('outlook-addin/assets');
  mkdirSync(dir, { recursive: true });
  for (const size of SIZES) writeFileSync(resolve(dir, `icon-${size}.png`), icon(size));
  console.log(`icons written to ${dir}`);
}
