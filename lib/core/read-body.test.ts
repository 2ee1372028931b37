import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readBodyLimited } from "./read-body";
import { readJsonBody } from "../http/read-json-body";

/** A body that would be `total` bytes, counting how much of it was ever pulled. */
function bigBody(total: number) {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) {
        controller.close();
        return;
      }
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("request bodies", () => {
  it("stops reading at the limit and answers 413, whatever the body's size (review finding 10)", async () => {
    const body = bigBody(5 * 1024 * 1024);
    const req = new Request("http://localhost/api/v1/services/x", {
      method: "PATCH",
      body: body.stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await expect(readJsonBody(req, z.object({}))).rejects.toMatchObject({ status: 413, code: "body_too_large" });
    expect(body.pulled()).toBeLessThanOrEqual(16 * 1024 + 128 * 1024);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const req = new Request("http://localhost/", {
      method: "POST",
      body: "x".repeat(10),
      headers: { "content-length": String(10 * 1024 * 1024) },
    });
    await expect(readBodyLimited(req, 1024)).rejects.toMatchObject({ status: 413 });
    expect(await readBodyLimited(new Request("http://localhost/", { method: "POST", body: "ok" }), 1024)).toBe("ok");
  });
});
