import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger(stream), text: () => lines.join("") };
}

const SECRET = "s3cr3t-value-that-must-not-appear";

describe("log redaction", () => {
  it.each([
    ["eventHookSecret", { eventHookSecret: SECRET }],
    ["a private key in a connection", { connection: { oktaServiceApp: { privateKey: { d: SECRET } } } }],
    ["a bare private JWK", { jwk: { privateKey: SECRET } }],
    ["token", { token: SECRET }],
    ["camel-case token names", { tokens: { accessToken: SECRET, refreshToken: SECRET, idToken: SECRET } }],
    ["client_assertion", { body: { client_assertion: SECRET } }],
    ["a DPoP proof", { headers: { dpop: SECRET, DPoP: SECRET } }],
    ["nested authorization", { err: { request: { headers: { authorization: `Bearer ${SECRET}` } } } }],
    ["set-cookie", { response: { "set-cookie": SECRET } }],
    ["a logout token", { body: { logout_token: SECRET } }],
  ])("never writes %s", (_name, fields) => {
    const { logger, text } = capture();
    logger.info(fields, "test line");
    expect(text()).toContain("test line");
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain("[redacted]");
  });

  it("keeps the fields that are not secrets", () => {
    const { logger, text } = capture();
    logger.info({ organization: "acme", status: 401, headers: { "x-request-id": "r-1" } }, "kept");
    expect(JSON.parse(text())).toMatchObject({ organization: "acme", status: 401, headers: { "x-request-id": "r-1" } });
  });
});
