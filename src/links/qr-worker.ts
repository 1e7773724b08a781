/** Entry module of a QR thread (see qr-codes.ts): renders one code per message. */
import { serveThread } from "../threads";
import { renderQr, type QrFormat, type RenderedQr } from "./link-qr";

export interface QrJob {
  text: string;
  format: QrFormat;
  size: number;
}

serveThread<QrJob, RenderedQr>(async ({ text, format, size }) => {
  const qr = await renderQr(text, format, size);
  return { value: qr, transfer: typeof qr.body === "string" ? [] : [qr.body.buffer as ArrayBuffer] };
});
