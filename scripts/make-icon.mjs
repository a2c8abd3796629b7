// Draws the Marketplace icon, resources/icon.png (128×128 RGBA), with no image library: the shapes
// are distance functions sampled 4×4 per pixel (anti-aliasing), written as a PNG through zlib.
// The motif is the activity bar's (resources/mozart.svg): a baton over three staff lines, here in
// white on a deep blue rounded square, with a note head at the baton's tip.
//   node scripts/make-icon.mjs [out.png]
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;
const out = process.argv[2] ?? 'resources/icon.png';

// Distance from point p to the segment a–b.
function segment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
// Signed distance to a rounded square centred in the canvas (negative inside).
function roundedSquare(px, py, half, radius) {
  const qx = Math.abs(px - SIZE / 2) - half + radius;
  const qy = Math.abs(py - SIZE / 2) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}
// A tilted ellipse (a note head): < 1 inside.
function ellipse(px, py, cx, cy, rx, ry, angle) {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const x = (px - cx) * c + (py - cy) * s;
  const y = -(px - cx) * s + (py - cy) * c;
  return (x / rx) ** 2 + (y / ry) ** 2;
}

// The artwork on a 24-unit grid like the SVG, scaled to the icon with a margin.
const scale = 100 / 24;
const offset = (SIZE - 24 * scale) / 2;
const u = (v) => offset + v * scale;
const staff = [
  [3, 9, 14],
  [3, 13, 12],
  [3, 17, 10],
];

/** The colour at one sample point: [r, g, b, a] in 0..1. */
function sample(x, y) {
  if (roundedSquare(x, y, 62, 22) > 0) return [0, 0, 0, 0];
  // Background: a vertical gradient from indigo to a deeper blue.
  const t = y / SIZE;
  let colour = [0.2 + 0.05 * (1 - t), 0.22 + 0.08 * (1 - t), 0.55 + 0.15 * (1 - t)];
  const white = [0.98, 0.97, 0.93];
  const gold = [0.99, 0.78, 0.3];
  const lineHalf = 0.8 * scale;
  for (const [x0, yy, x1] of staff) if (segment(x, y, u(x0), u(yy), u(x1), u(yy)) < lineHalf) colour = white;
  if (segment(x, y, u(14.5), u(19.5), u(21), u(3)) < 0.85 * scale) colour = gold;
  if (ellipse(x, y, u(13.6), u(20), 2.3 * scale, 1.6 * scale, -0.45) < 1) colour = gold;
  return [...colour, 1];
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (none), then RGBA
  for (let px = 0; px < SIZE; px++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const [cr, cg, cb, ca] = sample(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
        r += cr * ca;
        g += cg * ca;
        b += cb * ca;
        a += ca;
      }
    }
    const o = 1 + px * 4;
    if (a > 0) {
      row[o] = Math.round((255 * r) / a);
      row[o + 1] = Math.round((255 * g) / a);
      row[o + 2] = Math.round((255 * b) / a);
    }
    row[o + 3] = Math.round((255 * a) / (SAMPLES * SAMPLES));
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(out, png);
console.log(`${out}: ${SIZE}×${SIZE}, ${png.length} bytes`);
