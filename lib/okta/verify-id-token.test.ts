import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orgDiscovery, startLocalServer } from "../../test/support/local-server";
import { verifyIdToken } from "./verify-id-token";

const CLIENT = "porter-acme";
let server: Awaited<ReturnType<typeof startLocalServer>>;
let issuer: string;
let published: JWK[] = [];
let jwksReads = 0;

async function keyPair(kid: string): Promise<{ key: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const { kty, n, e } = await exportJWK(publicKey);
  return { key: privateKey, jwk: { kty, n, e, kid, alg: "RS256", use: "sig" } };
}

const idToken = (key: CryptoKey, kid: string) =>
  new SignJWT({ sub: "00u1" })
    .setProtectedHeader({ alg: "RS256", kid })
    .setIssuer(issuer)
    .setAudience(CLIENT)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/oauth2/v1/keys") {
      jwksReads++;
      // Slow enough that sign-ins arriving together overlap the reload.
      setTimeout(() => res.end(JSON.stringify({ keys: published })), 50);
    } else if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify(orgDiscovery(issuer)));
    else res.writeHead(404).end("{}");
  });
  issuer = server.origin;
});
afterAll(() => server.close());

describe("ID token verification across Okta's key rollover", () => {
  it("accepts every sign-in that arrives together with a new kid, with one extra JWKS read", async () => {
    const first = await keyPair("k1");
    published = [first.jwk];
    await verifyIdToken(await idToken(first.key, "k1"), { issuer, clientId: CLIENT });
    const before = jwksReads;
    // Okta rotates: the new key signs and is published; the old one stays published.
    const next = await keyPair("k2");
    published = [next.jwk, first.jwk];
    const tokens = await Promise.all(Array.from({ length: 4 }, () => idToken(next.key, "k2")));
    const results = await Promise.allSettled(tokens.map((t) => verifyIdToken(t, { issuer, clientId: CLIENT })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(jwksReads - before).toBe(1);
  });

  it("still refuses a kid the issuer does not publish, without reading the keys again and again", async () => {
    const stranger = await keyPair("k9");
    const token = await idToken(stranger.key, "k9");
    const before = jwksReads;
    await expect(verifyIdToken(token, { issuer, clientId: CLIENT })).rejects.toMatchObject({
      code: "id_token_signature_invalid",
    });
    await expect(verifyIdToken(token, { issuer, clientId: CLIENT })).rejects.toMatchObject({
      code: "id_token_signature_invalid",
    });
    expect(jwksReads - before).toBeLessThanOrEqual(1);
  });
});
