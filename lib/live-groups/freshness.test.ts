import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { startLocalServer } from "../../test/support/local-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { newOrganization, signInPerson } from "../../test/support/people";
import { getStoredRoles, getUserTeams } from "../people/queries";
import type { Connection } from "../config";
import { sessions } from "../db/schema";
import { keepGroupsFresh } from "./freshness";
import { createSession, getActiveSession, type ActiveSession } from "../sessions/store";
import { sessionTokenContext, unseal } from "../sessions/seal";

const SECRET = "s".repeat(40);
let server: Awaited<ReturnType<typeof startLocalServer>>;
let issuer: string;
let key: CryptoKey;
/** What the token endpoint does next: answer with these groups, refuse, or fail. */
let okta: { mode: "ok" | "refuse" | "down"; groups: string[]; calls: number } = { mode: "ok", groups: [], calls: 0 };

beforeAll(async () => {
  ({ privateKey: key } = await generateKeyPair("RS256", { extractable: true }));
  const { kty, n, e } = await exportJWK(key);
  server = await startLocalServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/oauth2/default/.well-known/openid-configuration") {
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/v1/authorize`,
          token_endpoint: `${issuer}/v1/token`,
          jwks_uri: `${issuer}/v1/keys`,
        }),
      );
    } else if (req.url === "/oauth2/default/v1/keys") {
      res.end(JSON.stringify({ keys: [{ kty, n, e, kid: "k1", alg: "RS256", use: "sig" }] }));
    } else if (req.url === "/oauth2/default/v1/token") {
      okta.calls++;
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const params = new URLSearchParams(body);
        if (okta.mode === "down") return void res.writeHead(503).end("{}");
        if (
          okta.mode === "refuse" ||
          params.get("grant_type") !== "refresh_token" ||
          req.headers.authorization !== `Basic ${Buffer.from("porter-eu:secret").toString("base64")}`
        ) {
          return void res.writeHead(400).end(JSON.stringify({ error: "invalid_grant" }));
        }
        const now = Math.floor(Date.now() / 1000);
        void new SignJWT({ groups: okta.groups })
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .setIssuer(issuer)
          .setAudience("porter-eu")
          .setSubject("00u1dev")
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(key)
          .then((idToken) =>
            res.end(JSON.stringify({ id_token: idToken, refresh_token: `rt-${randomUUID()}`, token_type: "Bearer" })),
          );
      });
    } else res.writeHead(404).end("{}");
  });
  issuer = `${server.origin}/oauth2/default`;
});
afterAll(() => server.close());

const config = { authSecret: SECRET, groupsMaxAgeSeconds: 300, groupsGraceSeconds: 900, logPollSeconds: 0 };
const connection = () =>
  ({
    name: "acme",
    issuer,
    clientId: "porter-eu",
    clientSecret: "secret",
    scopes: "openid offline_access",
    groupsClaim: "groups",
    adminGroups: [],
    oktaApiToken: undefined,
  }) as unknown as Connection;

describe.each(testDatabases())("GROUPS_MAX_AGE on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  /** dev, signed in with PAM (sre), whose groups Okta last confirmed `ageSeconds` ago. */
  async function staleSession(
    ageSeconds: number,
    refreshToken: string | null = "rt-1",
  ): Promise<{ sid: string; active: ActiveSession }> {
    const organization = await newOrganization(handle.db, { prefix: "fresh" });
    const organizationId = organization.id;
    const { user: dev } = await signInPerson(handle.db, organization, "00u1dev", [
      "Engineering",
      "Everyone",
      "PAM Linux Sysadmins",
    ]);
    const sid = await createSession(handle.db, {
      userId: dev.id,
      organizationId,
      connection: "acme",
      rawGroupCount: 3,
      tokens: { secret: SECRET, idToken: null, refreshToken },
      maxAgeSeconds: 3600,
    });
    const { hashSessionId } = await import("../sessions/store");
    await handle.db
      .update(sessions)
      .set({ groupsConfirmedAt: new Date(Date.now() - ageSeconds * 1000) })
      .where(eq(sessions.idHash, hashSessionId(sid)));
    const active = await getActiveSession(handle.db, sid);
    if ("rejected" in active) throw new Error("no session");
    return { sid, active };
  }

  it("fresh groups cost nothing; stale ones are re-read with the refresh token, and a removed group takes its role at once", async () => {
    okta = { mode: "ok", groups: ["Engineering", "Everyone"], calls: 0 };
    const young = await staleSession(60);
    expect(await keepGroupsFresh(handle.db, young.active, connection(), { config })).toEqual({
      ok: true,
      refreshed: false,
    });
    expect(okta.calls).toBe(0);

    const { sid, active } = await staleSession(301);
    expect(await keepGroupsFresh(handle.db, active, connection(), { config })).toEqual({ ok: true, refreshed: true });
    expect(okta.calls).toBe(1);
    expect(await getUserTeams(handle.db, active.user.id)).toEqual(["Engineering", "Everyone"]);
    expect((await getStoredRoles(handle.db, active.user.id)).map((r) => r.role)).not.toContain("sre");
    const after = await getActiveSession(handle.db, sid);
    if ("rejected" in after) throw new Error("session ended");
    expect(Date.now() - after.session.groupsConfirmedAt.getTime()).toBeLessThan(5000);
    // Okta rotated the refresh token: the new one is kept, sealed.
    const context = sessionTokenContext(after.session.idHash, "refresh_token");
    expect(unseal(SECRET, after.session.refreshToken ?? "", context)).toMatch(/^rt-/);
    expect(unseal(SECRET, after.session.refreshToken ?? "", context)).not.toBe("rt-1");
  });

  it("while Okta cannot be reached, serves stale groups within GROUPS_GRACE and refuses the session after it", async () => {
    okta = { mode: "down", groups: [], calls: 0 };
    const grace = await staleSession(400);
    expect(await keepGroupsFresh(handle.db, grace.active, connection(), { config })).toEqual({
      ok: true,
      refreshed: false,
    });
    const late = await staleSession(300 + 900 + 1);
    expect(await keepGroupsFresh(handle.db, late.active, connection(), { config })).toEqual({
      ok: false,
      rejected: "groups_stale",
    });
  });

  it("ends the session at once when Okta refuses its refresh token", async () => {
    okta = { mode: "refuse", groups: [], calls: 0 };
    const refused = await staleSession(400);
    expect(await keepGroupsFresh(handle.db, refused.active, connection(), { config })).toEqual({
      ok: false,
      rejected: "okta_refused_refresh",
    });
    expect(await getActiveSession(handle.db, refused.sid)).toMatchObject({
      rejected: "revoked",
      session: { revokedReason: "okta_refused_refresh" },
    });
  });

  it("refuses a stale session without a refresh token: the person signs in again", async () => {
    const none = await staleSession(400, null);
    expect(await keepGroupsFresh(handle.db, none.active, connection(), { config })).toEqual({
      ok: false,
      rejected: "groups_stale",
    });
  });
});
