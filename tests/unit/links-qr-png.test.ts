/** The 1-bit PNG encoder draws exactly the pixels the qrcode package's own (RGBA) PNG has. */
import { describe, expect, test } from "bun:test";
import QRCode from "qrcode";
import { qrPng } from "../../src/links/qr-png";

// pngjs comes with qrcode (its PNG renderer); here it decodes both images.
const { PNG } = require("pngjs") as { PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } } };

function darkPixels(png: Uint8Array): { width: number; height: number; dark: boolean[] } {
  const image = PNG.sync.read(Buffer.from(png));
  const dark: boolean[] = [];
  for (let i = 0; i < image.width * image.height; i++) dark.push(image.data[i * 4]! < 128);
  return { width: image.width, height: image.height, dark };
}

describe("qrPng", () => {
  for (const [text, width] of [
    ["https://rl.example/AbCdEf1", 256],
    ["https://rl.example/AbCdEf1", 2047],
    ["https://links.example.org/a-much-longer_alias-42", 333],
    ["x", 64],
  ] as const) {
    test(`${width} px of '${text}' match qrcode's rendering pixel for pixel`, async () => {
      const ours = qrPng(QRCode.create(text, { errorCorrectionLevel: "M" }).modules, width, 2);
      const theirs = await QRCode.toBuffer(text, { errorCorrectionLevel: "M", margin: 2, width, type: "png" });
      const a = darkPixels(ours);
      const b = darkPixels(theirs);
      expect([a.width, a.height]).toEqual([width, width]);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      expect(a.dark.filter(Boolean).length).toBeGreaterThan(width * width * 0.2);
      expect(a.dark.findIndex((d, i) => d !== b.dark[i])).toBe(-1);
    });
  }

  test("is a 1-bit grayscale PNG, a small fraction of the RGBA one", async () => {
    const text = "https://rl.example/AbCdEf1";
    const ours = qrPng(QRCode.create(text, { errorCorrectionLevel: "M" }).modules, 2048, 2);
    expect([...ours.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(ours[24]).toBe(1); // IHDR bit depth
    expect(ours[25]).toBe(0); // IHDR colour type: grayscale
    const theirs = await QRCode.toBuffer(text, { errorCorrectionLevel: "M", margin: 2, width: 2048, type: "png" });
    expect(ours.byteLength).toBeLessThan(theirs.byteLength / 2);
  });
});
