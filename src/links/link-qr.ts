/**
 * QR codes of short URLs (qrcode). Error correction M (15% damage) suits printed and on-screen
 * codes of a short URL; the quiet zone of 2 modules is what scanners need and no more.
 */
import QRCode from "qrcode";

export type QrFormat = "svg" | "png";

export async function renderQr(text: string, format: QrFormat, size: number): Promise<{ body: string | Uint8Array; contentType: string }> {
  const options = { errorCorrectionLevel: "M" as const, margin: 2, width: size };
  if (format === "png") return { body: new Uint8Array(await QRCode.toBuffer(text, { ...options, type: "png" })), contentType: "image/png" };
  return { body: await QRCode.toString(text, { ...options, type: "svg" }), contentType: "image/svg+xml" };
}
