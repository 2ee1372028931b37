import { describe, expect, it } from "vitest";
import { parseServiceApp } from "./service-app";

const where = { clientId: "OKTA_SERVICE_CLIENT_ID", key: "OKTA_SERVICE_PRIVATE_KEY" };

describe("Okta API Services app credential", () => {
  it("takes a client ID and a private JWK, and says what is wrong otherwise", () => {
    expect(parseServiceApp(undefined, undefined, where)).toBeUndefined();
    expect(parseServiceApp("0oa1", '{"kty":"RSA","n":"x","e":"AQAB","d":"y","kid":"k"}', where)).toMatchObject({
      clientId: "0oa1",
      privateKey: { kty: "RSA", kid: "k" },
    });
    expect(parseServiceApp("0oa1", undefined, where)).toMatch(/^OKTA_SERVICE_PRIVATE_KEY is missing/);
    expect(parseServiceApp(undefined, "{}", where)).toMatch(/^OKTA_SERVICE_CLIENT_ID is missing/);
    expect(parseServiceApp("0oa1", "-----BEGIN PRIVATE KEY-----", where)).toMatch(/as a JWK in JSON/);
    // A public key alone (no "d") cannot sign the client assertion.
    expect(parseServiceApp("0oa1", '{"kty":"RSA","n":"x","e":"AQAB"}', where)).toMatch(/private RSA or EC JWK/);
    expect(parseServiceApp("not an id!", '{"kty":"RSA","d":"y"}', where)).toMatch(/not an Okta client ID/);
  });
});
