import type { z } from "zod";
import { RequestError, type RequestErrorCode } from "../core/request-error";
import { readBodyLimited } from "../core/read-body";

const MAX_BODY_BYTES = 16 * 1024;

/** Reads a small JSON body and validates it; every failure is a 4xx that says what to send. */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const bad = (code: RequestErrorCode, message: string) => new RequestError({ code, message, userMessage: message });
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw bad("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const text = await readBodyLimited(req, MAX_BODY_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad("invalid_json", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
      .join(" ");
    throw bad("invalid_body", message);
  }
  return parsed.data;
}
