import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeOp } from "../../test/support/fake-op";
import { AccessTokenVerifier, BearerError } from "./access-tokens";

const AUD = "api://default";
const CLIENTS = ["porter-eu", "porter-cli"];

describe("AccessTokenVerifier (Okta access tokens on /api/v1)", () => {
  const op = new FakeOp();
  let verifier: AccessTokenVerifier;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: op.issuer,
    aud: AUD,
    cid: "porter-cli",
    sub: "dev@example.com",
    uid: "00u2",
    scp: ["porter.read"],
    iat: now(),
    exp: now() + 600,
    ...extra,
  });

  beforeAll(async () => {
    await op.start();
  });
  afterAll(async () => {
    await op.stop();
  });
  beforeEach(() => {
    verifier = new AccessTokenVerifier({ issuer: op.issuer, audience: AUD, clientIds: CLIENTS });
  });

  const refusal = async (token: string, scopes: string[] = []) => {
    const err = await verifier.verify(token, scopes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BearerError);
    return err as BearerError;
  };

  it("answers a verified token whose cid carries CR/LF with a 401 whose header holds no control characters (review finding 13)", async () => {
    const err = await refusal(await op.sign(claims({ cid: "porter-cli\r\nSet-Cookie: pwned=1" })));
    expect(err.status).toBe(401);
    expect(err.wwwAuthenticate).not.toMatch(/[\r\n]/);
    expect(err.userMessage).not.toContain("Set-Cookie");
    expect(() => new Headers({ "www-authenticate": err.wwwAuthenticate })).not.toThrow();
  });

  it("drops cached tokens whose key left the key set at the next refresh, and retries a failed refresh with back-off (review finding 9)", async () => {
    let clock = Date.now();
    const v = new AccessTokenVerifier({
      issuer: op.issuer,
      audience: AUD,
      clientIds: CLIENTS,
      now: () => clock,
      keyMaxAgeMs: 60_000,
    });
    const old = await op.sign(claims());
    await v.verify(old);
    expect(v.verifyCached(old)).not.toBeNull();

    // Okta is down when the keys are due: the known key keeps working, and the read is retried soon, not in an hour.
    op.keysDown = true;
    clock += 61_000;
    const reads = v.stats.jwksReads;
    expect(v.verifyCached(old)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(v.stats.jwksReads).toBe(reads + 1);
    clock += 2_000;
    expect(v.verifyCached(old)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(v.stats.jwksReads).toBe(reads + 2);

    // The key is rotated out: the next refresh ends every cached token signed with it.
    op.keysDown = false;
    await op.rotate();
    clock += 5_000;
    v.verifyCached(old);
    await new Promise((r) => setTimeout(r, 50));
    expect(v.verifyCached(old)).toBeNull();
    expect((await v.verify(old).catch((e: unknown) => e)) as BearerError).toBeInstanceOf(BearerError);
    await expect(v.verify(await op.sign(claims()))).resolves.toMatchObject({ sub: "dev@example.com" });
  });

  it("accepts a valid token and then answers from the cache until it expires", async () => {
    const token = await op.sign(claims());
    const first = await verifier.verify(token, ["porter.read"]);
    expect(first).toMatchObject({ cid: "porter-cli", sub: "dev@example.com", scopes: ["porter.read"] });
    await verifier.verify(token, ["porter.read"]);
    expect(verifier.stats).toMatchObject({ verifications: 1, cacheHits: 1 });
  });

  it("refuses a cached token once it has expired", async () => {
    let clock = Date.now();
    verifier = new AccessTokenVerifier({ issuer: op.issuer, audience: AUD, clientIds: CLIENTS, now: () => clock });
    const token = await op.sign(claims({ exp: now() + 2 }));
    await verifier.verify(token);
    clock += 5_000;
    expect((await refusal(token)).userMessage).toMatch(/expired/);
  });

  it.each([
    [
      "signed by a key the issuer does not publish",
      async () => op.sign(claims(), { key: op.otherKey }),
      /signature does not verify/,
    ],
    ["with an unknown kid", async () => op.sign(claims(), { kid: "not-a-key" }), /key the issuer does not publish/],
    ["with alg none", () => Promise.resolve(op.unsigned(claims())), /RS256/],
    [
      "HS256-signed with the client secret",
      async () =>
        op.sign(claims(), { alg: "HS256", key: new TextEncoder().encode("porter-eu-demo-secret-change-me-000000") }),
      /RS256/,
    ],
    ["expired", async () => op.sign(claims({ exp: now() - 10 })), /expired/],
    ["without exp", async () => op.sign(claims({ exp: undefined })), /no expiry/],
    ["for another audience", async () => op.sign(claims({ aud: "api://other" })), /audience/],
    ["from another issuer", async () => op.sign(claims({ iss: "https://evil.example.com/oauth2/default" })), /issuer/],
    ["minted for another app (cid)", async () => op.sign(claims({ cid: "someone-elses-app" })), /someone-elses-app/],
    ["that is not a JWT at all", () => Promise.resolve("not-a-token"), /not a JWT/],
  ])("refuses a token %s with invalid_token and a reason", async (_label, make, reason) => {
    const err = await refusal(await make());
    expect(err.code).toBe("invalid_token");
    expect(err.status).toBe(401);
    expect(err.userMessage).toMatch(reason);
    expect(err.wwwAuthenticate).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
  });

  it("refuses a token without a required scope with 403 insufficient_scope", async () => {
    const err = await refusal(await op.sign(claims({ scp: ["porter.read"] })), ["porter.write"]);
    expect(err).toMatchObject({ code: "insufficient_scope", status: 403 });
    expect(err.wwwAuthenticate).toContain('scope="porter.write"');
  });

  it("reads the JWKS at most once per cooldown under a flood of bogus kids, and valid tokens still pass", async () => {
    const valid = await op.sign(claims());
    await verifier.verify(valid);
    const readsBefore = op.jwksReads;
    const bogus = await Promise.all(
      Array.from({ length: 200 }, (_, i) => op.sign(claims({ jti: String(i) }), { kid: `bogus-${String(i)}` })),
    );
    const fresh = await op.sign(claims({ jti: "fresh" }));
    const results = await Promise.allSettled([...bogus.map((t) => verifier.verify(t)), verifier.verify(fresh)]);
    expect(results.slice(0, 200).every((r) => r.status === "rejected")).toBe(true);
    expect(results[200]?.status).toBe("fulfilled");
    expect(op.jwksReads - readsBefore).toBeLessThanOrEqual(1);
  });
});
