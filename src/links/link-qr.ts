/**
 * QR codes of short URLs (qrcode for the symbol, our own 1-bit PNG encoder for the image). Error
 * correction M (15% damage) suits printed and on-screen codes of a short URL; the quiet zone of 2
 * modules is what scanners need and no more. Runs on a QR thread (qr-worker.ts), never on the
 * serving thread.
 */
import QRCode from "qrcode";
import { qrPng } from "./qr-png";

export type QrFormat = "svg" | "png";

export interface RenderedQr {
  body: string | Uint8Array;
  contentType: string;
}

const ERROR_CORRECTION = "M" as const;
const MARGIN = 2;

export async function renderQr(text: string, format: QrFormat, size: number): Promise<RenderedQr> {
  if (format === "png") {
    const symbol = QRCode.create(text, { errorCorrectionLevel: ERROR_CORRECTION });
    return { body: qrPng(symbol.modules, size, MARGIN), contentType: "image/png" };
  }
  return {
    body: await QRCode.toString(text, { errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, width: size, type: "svg" }),
    contentType: "image/svg+xml",
  };
}
