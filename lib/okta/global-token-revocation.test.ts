import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { orgDiscovery, startLocalServer } from "../../test/support/local-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGOUT_TOKEN_TYPE, parseLogoutSubject, verifyLogoutToken } from "./global-token-revocation";

let server: Awaited<ReturnType<typeof startLocalServer>>;
let issuer: string;
let key: CryptoKey;
let stranger: CryptoKey;
const CLIENT = "porter-acme";
const aud = "https://porter.example/api/okta/acme/global-token-revocation";

beforeAll(async () => {
  ({ privateKey: key } = await generateKeyPair("RS256", { extractable: true }));
  ({ privateKey: stranger } = await generateKeyPair("RS256", { extractable: true }));
  const { kty, n, e } = await exportJWK(key);
  const jwk = { kty, n, e, kid: "k1", alg: "RS256", use: "sig" };
  server = await startLocalServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/oauth2/v1/keys") res.end(JSON.stringify({ keys: [jwk] }));
    else if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify(orgDiscovery(issuer)));
    else res.writeHead(404).end("{}");
  });
  issuer = server.origin;
});
afterAll(() => server.close());

type Claims = {
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string | undefined;
};
async function token(over: Claims = {}, header: { typ?: string; kid?: string } = {}, signer: CryptoKey = key) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    sub: CLIENT,
    aud,
    iat: now,
    nbf: now - 300,
    exp: now + 300,
    jti: randomUUID(),
    ...over,
  };
  return `Bearer ${await new SignJWT(Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined))).setProtectedHeader({ alg: "RS256", typ: LOGOUT_TOKEN_TYPE, kid: "k1", ...header }).sign(signer)}`;
}
const connection = () => ({ issuer, clientId: CLIENT });
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("Universal Logout token (Okta's Global Token Revocation JWT)", () => {
  it("accepts Okta's token: typ, org issuer, this endpoint as aud, this app as sub, a jti", async () => {
    const t = await verifyLogoutToken(await token({ jti: "j-1" }), connection(), aud);
    expect(t).toMatchObject({ iss: issuer, jti: "j-1" });
  });

  it("refuses no token, an expired one, an unknown key, alg none, a wrong aud, typ or issuer, no jti, a long life: 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const none = `Bearer ${b64({ alg: "none", typ: LOGOUT_TOKEN_TYPE })}.${b64({ iss: issuer, sub: CLIENT, aud, iat: now, nbf: now, exp: now + 300, jti: "x" })}.`;
    const refused: [string | null, RegExp][] = [
      [null, /has none/],
      ["Basic abc", /has none/],
      [await token({ exp: now - 120, iat: now - 420, nbf: now - 720 }), /expired/],
      [await token({}, { kid: "k-unknown" }, stranger), /not signed by this Okta org/],
      [await token({}, {}, stranger), /not signed by this Okta org/],
      [none, /./],
      [await token({ aud: "https://porter.example/api/okta/initech/global-token-revocation" }), /aud claim is wrong/],
      [await token({}, { typ: "JWT" }), /typ/],
      [await token({ iss: "https://other-org.okta.com" }), /iss claim is wrong/],
      [await token({ jti: undefined }), /jti/],
      [await token({ exp: now + 3600 }), /longer than 15 minutes/],
    ];
    for (const [authorization, why] of refused) {
      const err = await verifyLogoutToken(authorization, connection(), aud).then(
        () => null,
        (e: unknown) => e as { status: number; userMessage: string },
      );
      expect(err, String(authorization)).not.toBeNull();
      expect(err?.status, String(authorization)).toBe(401);
      expect(err?.userMessage).toMatch(why);
    }
  });

  it("refuses a valid token issued for another app: 403", async () => {
    await expect(verifyLogoutToken(await token({ sub: "another-app" }), connection(), aud)).rejects.toMatchObject({
      status: 403,
      code: "logout_forbidden",
    });
  });

  it("answers 422 when the org's keys cannot be read (nobody is logged out)", async () => {
    const gone = { issuer: "http://127.0.0.1:9", clientId: CLIENT };
    const now = Math.floor(Date.now() / 1000);
    const t = `Bearer ${await new SignJWT({ iss: gone.issuer, sub: CLIENT, aud, iat: now, nbf: now, exp: now + 300, jti: "z" }).setProtectedHeader({ alg: "RS256", typ: LOGOUT_TOKEN_TYPE, kid: "k1" }).sign(key)}`;
    await expect(verifyLogoutToken(t, gone, aud)).rejects.toMatchObject({ status: 422, code: "logout_unavailable" });
  });
});

describe("Universal Logout subject (sub_id)", () => {
  it("reads email and iss_sub, refuses malformed bodies and unknown formats with 400", () => {
    expect(parseLogoutSubject(JSON.stringify({ sub_id: { format: "email", email: "dev@example.com" } }))).toEqual({
      format: "email",
      email: "dev@example.com",
    });
    expect(
      parseLogoutSubject(JSON.stringify({ sub_id: { format: "iss_sub", iss: "https://acme.okta.com", sub: "00u1" } })),
    ).toMatchObject({ format: "iss_sub", sub: "00u1" });
    for (const [body, why] of [
      ["{", /not JSON/],
      ["[]", /no "sub_id"/],
      [JSON.stringify({ subject: { format: "email", email: "a@b" } }), /no "sub_id"/],
      [JSON.stringify({ sub_id: { format: "opaque", id: "00u1" } }), /"opaque" is not supported/],
      [JSON.stringify({ sub_id: { format: "email" } }), /no valid "email"/],
      [JSON.stringify({ sub_id: { format: "iss_sub", iss: "x" } }), /no valid "sub"/],
    ] as const) {
      expect(() => parseLogoutSubject(body)).toThrow(
        expect.objectContaining({ status: 400, userMessage: expect.stringMatching(why) as unknown }) as Error,
      );
    }
  });
});
