/**
 * A QR code's modules as a 1-bit grayscale PNG. The `qrcode` package draws PNGs as 8-bit RGBA
 * through a JavaScript deflate: 16 MB of pixels and ~340 ms for 2048 px. One bit per pixel and the
 * runtime's native zlib make the same image 512 KB before compression and a few milliseconds.
 * Pixels map to modules exactly as `qrcode` maps them (scale = width / (modules + 2 * margin)).
 */
import { deflateSync } from "node:zlib";

export interface QrModules {
  /** modules per side */
  size: number;
  /** row-major, truthy = dark */
  data: ArrayLike<number | boolean>;
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, Bun.hash.crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** `width` pixels a side; a code with more modules than that is drawn at one pixel per module. */
export function qrPng(modules: QrModules, width: number, margin: number): Uint8Array {
  const n = modules.size;
  const side = Math.max(width, n + 2 * margin);
  const scale = side / (n + 2 * margin);
  const scaledMargin = margin * scale;
  const rowBytes = Math.ceil(side / 8);
  const stride = rowBytes + 1; // each scanline starts with its filter type (0: none)
  const raw = new Uint8Array(stride * side);
  const line = new Uint8Array(rowBytes);
  let drawnRow = Number.NaN;
  for (let y = 0; y < side; y++) {
    const my = Math.floor((y - scaledMargin) / scale);
    if (my !== drawnRow) {
      // Light is 1 in grayscale; only the code's own rows have dark pixels.
      line.fill(0xff);
      if (y >= scaledMargin && my < n) {
        for (let x = 0; x < side; x++) {
          const mx = Math.floor((x - scaledMargin) / scale);
          if (x >= scaledMargin && mx < n && modules.data[my * n + mx]) line[x >> 3]! &= ~(0x80 >> (x & 7));
        }
      }
      drawnRow = my;
    }
    raw.set(line, y * stride + 1);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale; compression, filter and interlace stay 0
  const parts = [SIGNATURE, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", new Uint8Array(0))];
  const png = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    png.set(part, at);
    at += part.length;
  }
  return png;
}
