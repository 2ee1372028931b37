import { RequestError } from "./request-error";

/** A body over the limit: 413, with the limit in words. */
export function bodyTooLarge(maxBytes: number): RequestError {
  const size =
    maxBytes >= 1024 * 1024 ? `${String(maxBytes / 1024 / 1024)} MB` : `${String(Math.round(maxBytes / 1024))} KB`;
  return new RequestError({
    code: "body_too_large",
    message: `body over ${String(maxBytes)} bytes`,
    userMessage: `The body is larger than ${size}.`,
  });
}

/**
 * Reads a request body as text, but never more than `maxBytes`: a declared Content-Length over the limit
 * is refused before reading, and the stream is cancelled as soon as it passes the limit (413).
 */
export async function readBodyLimited(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw bodyTooLarge(maxBytes);
  const { text, over } = await readStreamCapped(req.body, maxBytes);
  if (over) throw bodyTooLarge(maxBytes);
  return text;
}

/**
 * Reads a byte stream as text up to `maxBytes`, cancelling it as soon as it passes the limit: `over`
 * says whether it did (the text then holds the first `maxBytes`).
 */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ text: string; over: boolean }> {
  if (!stream) return { text: "", over: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let over = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      chunks.push(value.subarray(0, value.byteLength - (size - maxBytes)));
      over = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
  }
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks)), over };
}
