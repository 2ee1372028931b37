import { Auth, skipCSRFCheck, type AuthConfig } from "@auth/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeOp } from "../../test/support/fake-op";
import type { AuditEvent } from "../audit/events";
import { parseConfig, type Config } from "../config/env";
import { openDatabase, type DbHandle } from "../db/client";
import { auditEvents, sessions } from "../db/schema";
import { eq } from "drizzle-orm";
import { classifySignInError } from "./classify-error";
import { createAuthConfig } from "./config";
import { authRequestContext } from "./context";

/**
 * The real Auth.js core with porter's real configuration, against an OP on loopback that the test makes
 * misbehave. Each refusal must name the right cause; the valid token must get through (so the harness
 * itself can fail).
 */
const APP = "http://localhost:3999";
const op = new FakeOp();
let config: Config;
let handle: DbHandle;
const events: AuditEvent[] = [];
/** The organization sign-in budget as the tests set it: each completed sign-in asks, and is over when `over`. */
const budget = { over: false, asked: 0 };

function authConfig(overrides: Partial<Config> = {}): AuthConfig {
  const recordEvent = (e: AuditEvent) => {
    events.push(e);
    return Promise.resolve();
  };
  const porterConfig = createAuthConfig({
    config: { ...config, ...overrides },
    db: () => Promise.resolve(handle.db),
    audit: recordEvent,
    overSignInBudget: () => {
      budget.asked++;
      return Promise.resolve(budget.over);
    },
  });
  return { ...(porterConfig as AuthConfig), skipCSRFCheck };
}

function cookieHeader(res: Response, previous = ""): string {
  const jar = new Map(previous ? previous.split("; ").map((c) => c.split("=", 2) as [string, string]) : []);
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair?.indexOf("=") ?? -1;
    if (pair && i > 0) jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return [...jar]
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}

async function startFlow() {
  const res = await Auth(
    new Request(`${APP}/api/auth/signin/acme`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "callbackUrl=%2Fprofile",
    }),
    authConfig(),
  );
  const authorize = new URL(res.headers.get("location") ?? "");
  expect(authorize.origin + authorize.pathname).toBe(`${op.issuer}/v1/authorize`);
  return { authorize, cookies: cookieHeader(res) };
}

function validClaims(nonce: string) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: op.issuer,
    aud: "porter-test",
    sub: "00u-test-user",
    email: "t@example.com",
    name: "T",
    nonce,
    iat: now,
    exp: now + 300,
    groups: ["Everyone"],
  };
}

async function callback(flow: { authorize: URL; cookies: string }, params: Record<string, string> = {}) {
  const url = new URL(`${APP}/api/auth/callback/acme`);
  url.searchParams.set("code", "code-1");
  url.searchParams.set("state", flow.authorize.searchParams.get("state") ?? "");
  url.searchParams.set("iss", op.issuer);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const store = { errors: [] as unknown[] };
  const res = await authRequestContext.run(store, () =>
    Auth(new Request(url, { headers: { cookie: flow.cookies } }), authConfig()),
  );
  return { res, location: res.headers.get("location") ?? "", error: store.errors.at(-1) };
}

function replyWithIdToken(makeToken: (nonce: string) => Promise<string> | string) {
  return (flow: { authorize: URL }) => {
    op.tokenReply = async () => ({
      status: 200,
      body: {
        access_token: "at",
        token_type: "Bearer",
        expires_in: 300,
        scope: "openid",
        id_token: await makeToken(flow.authorize.searchParams.get("nonce") ?? ""),
      },
    });
  };
}

beforeAll(async () => {
  await op.start();
  config = parseConfig({
    AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2-test-01",
    APP_REGION: "eu",
    APP_URL_EU: APP,
    APP_URL_US: "http://localhost:3998",
    OKTA_CONNECTION_NAME: "acme",
    OKTA_ISSUER: op.issuer,
    OKTA_CLIENT_ID: "porter-test",
    OKTA_CLIENT_SECRET: "s3cret",
  });
  handle = await openDatabase({ kind: "pglite", dataDir: "memory://" });
});
afterAll(async () => {
  await op.stop();
  await handle.close();
});
beforeEach(() => {
  events.length = 0;
  budget.over = false;
  budget.asked = 0;
});

describe("sign-in through Auth.js with porter's checks", () => {
  it("starts with PKCE S256, state and nonce", async () => {
    const { authorize } = await startFlow();
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
  });

  it("accepts a valid, correctly signed ID token and creates a server-side session", async () => {
    const flow = await startFlow();
    replyWithIdToken((nonce) => op.sign(validClaims(nonce)))(flow);
    const { location, error } = await callback(flow);
    expect(error).toBeUndefined();
    expect(location).toBe(`${APP}/profile`);
    // The sign-in's audit event commits in the same transaction as its session (not through the writer).
    expect(events).toEqual([]);
    const written = await handle.db.select().from(auditEvents).where(eq(auditEvents.type, "sign_in.succeeded"));
    expect(written.map((e) => [e.actor, e.actorSub, e.connection])).toEqual([
      ["t@example.com", "00u-test-user", "acme"],
    ]);
    const [session] = await handle.db
      .select({ idToken: sessions.idToken })
      .from(sessions)
      .where(eq(sessions.connection, "acme"));
    expect(session?.idToken).toMatch(/^v2\./); // sealed at rest, never the raw ID token
    expect(session?.idToken).not.toContain("eyJ");
    expect(op.tokenRequests.at(-1)?.get("code_verifier")).toMatch(/^[\w-]{43,128}$/);
  });

  const refusals: [string, (nonce: string) => Promise<string> | string, string][] = [
    ["wrong nonce", () => op.sign(validClaims("not-the-nonce")), "nonce_invalid"],
    [
      "wrong iss",
      (n) => op.sign({ ...validClaims(n), iss: "https://evil.example/oauth2/default" }),
      "id_token_invalid",
    ],
    ["wrong aud", (n) => op.sign({ ...validClaims(n), aud: "someone-else" }), "id_token_invalid"],
    ["expired", (n) => op.sign({ ...validClaims(n), iat: 1_600_000_000, exp: 1_600_000_300 }), "id_token_invalid"],
    ["bad signature (another key, same kid)", (n) => op.sign(validClaims(n), { key: op.otherKey }), "id_token_invalid"],
    ["alg: none", (n) => op.unsigned(validClaims(n)), "id_token_invalid"],
  ];
  for (const [name, token, code] of refusals) {
    it(`refuses an ID token with ${name} (${code}) and creates no session`, async () => {
      const sessionsBefore = (await handle.db.select().from(sessions).where(eq(sessions.connection, "acme"))).length;
      const flow = await startFlow();
      replyWithIdToken(token)(flow);
      const { location, error } = await callback(flow);
      expect(location).toContain("error=");
      expect(classifySignInError(error).code).toBe(code);
      expect(await handle.db.select().from(sessions).where(eq(sessions.connection, "acme"))).toHaveLength(
        sessionsBefore,
      );
    });
  }

  it("counts only completed sign-ins against the organization's budget: forged callbacks spend none of it (review finding 2)", async () => {
    for (let i = 0; i < 5; i++) {
      const flow = await startFlow();
      replyWithIdToken(() => op.sign(validClaims("not-the-nonce")))(flow);
      await callback(flow);
      await callback({ authorize: flow.authorize, cookies: "" });
    }
    expect(budget.asked).toBe(0);
    const flow = await startFlow();
    replyWithIdToken((nonce) => op.sign(validClaims(nonce)))(flow);
    expect((await callback(flow)).error).toBeUndefined();
    expect(budget.asked).toBe(1);
  });

  it("refuses a completed sign-in over the organization's budget with its own page, and creates no session", async () => {
    budget.over = true;
    const before = (await handle.db.select().from(sessions).where(eq(sessions.connection, "acme"))).length;
    const flow = await startFlow();
    replyWithIdToken((nonce) => op.sign(validClaims(nonce)))(flow);
    const { error } = await callback(flow);
    expect(classifySignInError(error).code).toBe("organization_busy");
    expect(await handle.db.select().from(sessions).where(eq(sessions.connection, "acme"))).toHaveLength(before);
  });

  it("refuses a callback whose RFC 9207 iss differs from the connection's issuer (mix-up)", async () => {
    const flow = await startFlow();
    replyWithIdToken((n) => op.sign(validClaims(n)))(flow);
    const { error } = await callback(flow, { iss: "https://evil.example/oauth2/default" });
    expect(classifySignInError(error).code).toBe("issuer_mismatch");
  });

  it("names a wrong client secret (invalid_client) and Okta's too-many-groups refusal", async () => {
    let flow = await startFlow();
    op.tokenReply = () =>
      Promise.resolve({
        status: 401,
        body: { error: "invalid_client", error_description: "Invalid value for 'client_id' parameter." },
      });
    expect(classifySignInError((await callback(flow)).error).code).toBe("invalid_client");

    flow = await startFlow();
    op.tokenReply = () =>
      Promise.resolve({
        status: 400,
        body: {
          error: "invalid_request",
          error_description: "The groups claim matched too many groups and must be configured to match fewer groups",
        },
      });
    expect(classifySignInError((await callback(flow)).error).code).toBe("too_many_groups");
  });

  it("denies a session cookie made with another AUTH_SECRET (fails closed)", async () => {
    const flow = await startFlow();
    replyWithIdToken((n) => op.sign(validClaims(n)))(flow);
    const { res } = await callback(flow);
    const cookies = cookieHeader(res, flow.cookies);
    expect(cookies).toContain("authjs.session-token=");

    const read = (secret: string) =>
      Auth(
        new Request(`${APP}/api/auth/session`, { headers: { cookie: cookies } }),
        authConfig({ authSecret: secret }),
      ).then((r: Response) => r.json() as Promise<unknown>);
    expect(await read(config.authSecret)).toMatchObject({
      porter: { user: { email: "t@example.com" }, groups: ["Everyone"] },
    });
    expect(await read("y".repeat(40))).toBeNull();
  });

  it("names every cookie __Host- on https, so a sibling subdomain cannot plant one (review finding 6)", async () => {
    const https = createAuthConfig({
      config: { ...config, publicUrl: "https://porter.eu.example.com" },
      db: () => Promise.resolve(handle.db),
      audit: () => Promise.resolve(),
    });
    const names = Object.values(https.cookies ?? {}).map((c) => c?.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "__Host-authjs.session-token",
        "__Host-authjs.state",
        "__Host-authjs.nonce",
        "__Host-authjs.pkce.code_verifier",
        "__Host-authjs.callback-url",
      ]),
    );
    // Through the real library, on an https URL: the check cookies it sets carry the prefix, Path=/ and no Domain.
    const res = await Auth(
      new Request("https://porter.eu.example.com/api/auth/signin/acme", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "callbackUrl=%2F",
      }),
      { ...(https as AuthConfig), skipCSRFCheck },
    );
    const set = res.headers.getSetCookie();
    expect(set.length).toBeGreaterThan(0);
    for (const cookie of set) {
      expect(cookie).toMatch(/^__Host-authjs\./);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
      expect(cookie).toMatch(/Secure/);
    }
  });
});
