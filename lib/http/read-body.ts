import { AppError } from "./app-error";

/** A body over the limit: 413, with the limit in words. */
export function bodyTooLarge(maxBytes: number): AppError {
  const size = maxBytes >= 1024 * 1024 ? `${String(maxBytes / 1024 / 1024)} MB` : `${String(Math.round(maxBytes / 1024))} KB`;
  return new AppError({ code: "body_too_large", status: 413, message: `body over ${String(maxBytes)} bytes`, userMessage: `The body is larger than ${size}.` });
}

/**
 * Reads a request body as text, but never more than `maxBytes`: a declared Content-Length over the limit
 * is refused before reading, and the stream is cancelled as soon as it passes the limit (413).
 */
export async function readBodyLimited(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge(maxBytes);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}
