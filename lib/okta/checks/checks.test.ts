import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Connection, ConnectionUrls } from "../../config";
import { exportJWK, generateKeyPair } from "jose";
import { OktaClient } from "../client";
import { startChecks } from "./run-checks";
import type { CheckId, CheckResult } from "./types";

type Handler = (
  url: URL,
  req: IncomingMessage,
) => { status: number; type?: string; body?: string; location?: string } | "hang";
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** An Okta-like authorization server whose answers each test decides. */
async function fakeOkta(handler: Handler): Promise<string> {
  let issuer = "";
  const port = await listen(
    createServer((req, res) => {
      const answer = handler(new URL(req.url ?? "/", issuer), req);
      if (answer === "hang") return;
      res.writeHead(answer.status, {
        "content-type": answer.type ?? "application/json",
        ...(answer.location ? { location: answer.location } : {}),
      });
      res.end(answer.body ?? "");
    }),
  );
  issuer = `http://127.0.0.1:${String(port)}/oauth2/default`;
  return issuer;
}

const discovery = (issuer: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    introspection_endpoint: `${issuer}/v1/introspect`,
    code_challenge_methods_supported: ["S256"],
    ...extra,
  });

const urls = (region: "eu" | "us"): ConnectionUrls => {
  const home = region === "eu" ? "https://porter.eu.example.com" : "https://porter.us.example.com";
  return {
    region,
    home,
    signInRedirectUri: `${home}/api/auth/callback/acme`,
    initiateLoginUri: `${home}/login/acme/initiate`,
    signOutRedirectUri: `${home}/signed-out`,
    directLoginUrl: `${home}/login/acme`,
    eventHookUri: `${home}/api/okta/acme/event-hook`,
    globalTokenRevocationUri: `${home}/api/okta/acme/global-token-revocation`,
  };
};

async function run(
  issuer: string,
  overrides: Partial<Connection> = {},
  signIn: Parameters<typeof startChecks>[0]["signIn"] = null,
) {
  const connection: Connection = {
    name: "acme",
    issuer,
    clientId: "0oaACME",
    adminGroups: [],
    clientSecret: "s3cret",
    region: "eu",
    scopes: "openid",
    groupsClaim: "groups",
    groupsAllow: ".*",
    groupsBlock: undefined,
    apiAudience: "api://default",
    apiClientIds: ["0oaACME"],
    seedFile: undefined,
    oktaApiToken: undefined,
    oktaServiceApp: undefined,
    eventHookSecret: undefined,
    eventHookHeader: "authorization",
    groupsSource: "claim",
    requireProvisioning: false,
    scimToken: undefined,
    sharedSignals: false,
    credentialChange: "end_sessions_on_revoke",
    ...overrides,
  };
  const started = performance.now();
  const results = await startChecks({
    connection,
    urls: urls("eu"),
    otherUrls: urls("us"),
    signIn,
    okta: OktaClient.of(connection),
  }).all;
  const byId = Object.fromEntries(results.map((r) => [r.id, r])) as Record<CheckId, CheckResult>;
  return { byId, ms: performance.now() - started };
}

/** The app as Okta's Apps API returns it, set up as porter needs. */
const app = (id: string) =>
  JSON.stringify({
    id,
    status: "ACTIVE",
    signOnMode: "OPENID_CONNECT",
    visibility: { hide: { web: false } },
    settings: {
      oauthClient: {
        redirect_uris: ["https://porter.eu.example.com/api/auth/callback/acme"],
        post_logout_redirect_uris: ["https://porter.eu.example.com/signed-out"],
        initiate_login_uri: "https://porter.eu.example.com/login/acme/initiate",
        grant_types: ["authorization_code"],
        application_type: "web",
        idp_initiated_login: { mode: "SPEC" },
      },
    },
  });

/** A healthy server, with one part replaced per test. */
function healthy(issuer: () => string, override: Partial<Record<string, Handler>> = {}): Handler {
  return (url, req) => {
    const route = url.pathname.replace("/oauth2/default", "");
    const custom = override[route];
    if (custom) return custom(url, req);
    if (route === "/.well-known/openid-configuration") return { status: 200, body: discovery(issuer()) };
    if (route === "/v1/keys")
      return {
        status: 200,
        body: JSON.stringify({ keys: [{ kty: "RSA", kid: "k1", alg: "RS256", n: "AQAB", e: "AQAB" }] }),
      };
    if (route === "/v1/introspect")
      return req.headers.authorization === `Basic ${Buffer.from("0oaACME:s3cret").toString("base64")}`
        ? { status: 200, body: '{"active":false}' }
        : { status: 401, body: '{"error":"invalid_client"}' };
    if (route === "/v1/authorize") {
      const redirect = url.searchParams.get("redirect_uri") ?? "";
      return redirect.startsWith("https://porter.eu.example.com")
        ? { status: 302, location: `${redirect}?error=login_required` }
        : { status: 400, type: "text/html", body: "<h1>400</h1>" };
    }
    return { status: 404 };
  };
}

describe("Okta configuration checks against a controllable server", () => {
  it("all pass on a healthy setup", async () => {
    let issuer = "";
    issuer = await fakeOkta(healthy(() => issuer));
    const { byId } = await run(issuer, {}, { rawGroupCount: 3, keptGroups: ["a", "b", "c"], groupsWithoutRule: [] });
    for (const id of [
      "network",
      "clock",
      "discovery",
      "signing_keys",
      "client_credentials",
      "redirect_uri",
      "groups_claim",
    ] as const)
      expect(byId[id].status, `${id}: ${byId[id].message}`).toBe("pass");
    expect(byId.app_settings.status).toBe("skipped");
  });

  it("an issuer that never answers: every check ends, the run takes under 5 s", async () => {
    const issuer = await fakeOkta(() => "hang");
    const { byId, ms } = await run(issuer);
    expect(ms).toBeLessThan(5_000);
    expect(byId.discovery).toMatchObject({
      status: "fail",
      message: expect.stringContaining("no answer within") as string,
    });
    expect(byId.redirect_uri.status).toBe("skipped");
  });

  it("HTML instead of JSON, another issuer, a trailing-slash issuer, a JWKS with no keys, a wrong secret", async () => {
    let issuer = "";
    issuer = await fakeOkta(
      healthy(() => issuer, {
        "/.well-known/openid-configuration": () => ({ status: 200, type: "text/html", body: "<html>Sign in</html>" }),
      }),
    );
    expect((await run(issuer)).byId.discovery.message).toMatch(/not an OpenID Connect discovery document/);

    let other = "";
    other = await fakeOkta(
      healthy(() => other, {
        "/.well-known/openid-configuration": () => ({
          status: 200,
          body: discovery("https://evil.example.com/oauth2/default"),
        }),
      }),
    );
    expect((await run(other)).byId.discovery).toMatchObject({
      status: "fail",
      message: expect.stringContaining("it is another issuer") as string,
    });

    let slash = "";
    slash = await fakeOkta(
      healthy(() => slash, {
        "/.well-known/openid-configuration": () => ({ status: 200, body: discovery(`${slash}/`) }),
      }),
    );
    expect((await run(slash)).byId.discovery.message).toMatch(/only by a trailing slash/);

    let nokeys = "";
    nokeys = await fakeOkta(healthy(() => nokeys, { "/v1/keys": () => ({ status: 200, body: '{"keys":[]}' }) }));
    expect((await run(nokeys)).byId.signing_keys).toMatchObject({
      status: "fail",
      message: expect.stringContaining("no RS256") as string,
    });

    let ok = "";
    ok = await fakeOkta(healthy(() => ok));
    const wrong = (await run(ok, { clientSecret: "not-it" })).byId.client_credentials;
    expect(wrong).toMatchObject({ status: "fail", message: expect.stringContaining("invalid_client") as string });
    expect(JSON.stringify(wrong)).not.toContain("not-it");
  });

  it("names the fix when only the other region's redirect URI is registered, and warns on a 500", async () => {
    let onlyUs = "";
    onlyUs = await fakeOkta(
      healthy(() => onlyUs, {
        "/v1/authorize": (url) => {
          const redirect = url.searchParams.get("redirect_uri") ?? "";
          return redirect.startsWith("https://porter.us.example.com")
            ? { status: 302, location: `${redirect}?error=login_required` }
            : { status: 400, body: "" };
        },
      }),
    );
    const result = (await run(onlyUs)).byId.redirect_uri;
    expect(result.status).toBe("fail");
    expect(result.message).toBe(
      "Your Okta app lists the US callback, but this organization lives in the EU: replace https://porter.us.example.com/api/auth/callback/acme with https://porter.eu.example.com/api/auth/callback/acme.",
    );
    expect(result.value).toBe("https://porter.eu.example.com/api/auth/callback/acme");

    let broken = "";
    broken = await fakeOkta(healthy(() => broken, { "/v1/authorize": () => ({ status: 500 }) }));
    expect((await run(broken)).byId.redirect_uri.status).toBe("warn");
  });

  it("the Apps API: a token without permission (403), an app that does not exist (404), a healthy app", async () => {
    let issuer = "";
    issuer = await fakeOkta((url, req) => {
      if (url.pathname.startsWith("/api/v1/apps/")) {
        const token = req.headers.authorization;
        if (token === "SSWS weak")
          return {
            status: 403,
            body: '{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}',
          };
        const id = url.pathname.split("/").pop() ?? "";
        return id === "0oaACME"
          ? { status: 200, body: app(id) }
          : { status: 404, body: '{"errorCode":"E0000007","errorSummary":"Not found"}' };
      }
      return healthy(() => issuer)(url, req);
    });
    const weak = (await run(issuer, { oktaApiToken: "weak" })).byId.app_settings;
    expect(weak).toMatchObject({ status: "fail", message: expect.stringContaining("403") as string });
    expect(JSON.stringify(weak)).not.toContain("weak");
    expect((await run(issuer, { oktaApiToken: "good", clientId: "0oaMISSING" })).byId.app_settings).toMatchObject({
      status: "fail",
      value: "0oaMISSING",
    });
    expect((await run(issuer, { oktaApiToken: "good" })).byId.app_settings.status).toBe("pass");
    expect((await run(issuer)).byId.app_settings.status).toBe("skipped");
  });

  it("reads the app's settings with an API Services app, Okta's recommended credential, not only an API token (bug 1)", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: "k" } as { kty: string; d: string; kid: string };
    const seen: string[] = [];
    let issuer = "";
    issuer = await fakeOkta((url, req) => {
      if (url.pathname === "/oauth2/v1/token") {
        seen.push("token");
        return {
          status: 200,
          body: JSON.stringify({ access_token: "svc-at", token_type: "Bearer", expires_in: 3600 }),
        };
      }
      if (url.pathname.startsWith("/api/v1/apps/")) {
        seen.push(`apps with ${String(req.headers.authorization)}`);
        if (req.headers.authorization !== "Bearer svc-at") return { status: 401, body: '{"errorCode":"E0000011"}' };
        return { status: 200, body: app("0oaACME") };
      }
      return healthy(() => issuer)(url, req);
    });
    const byService = (await run(issuer, { oktaServiceApp: { clientId: "0oaSERVICE", privateKey: jwk } })).byId;
    expect(byService.app_settings.status).toBe("pass");
    expect(byService.app_settings.evidence[0]).toContain("API Services app 0oaSERVICE");
    expect(seen).toEqual(["token", "apps with Bearer svc-at"]);
  });

  it("reads the groups claim from the admin's last sign-in: missing, at the cap", async () => {
    let issuer = "";
    issuer = await fakeOkta(healthy(() => issuer));
    expect(
      (await run(issuer, {}, { rawGroupCount: 0, keptGroups: [], groupsWithoutRule: [] })).byId.groups_claim,
    ).toMatchObject({ status: "fail", value: ".*" });
    expect(
      (await run(issuer, {}, { rawGroupCount: 100, keptGroups: ["a"], groupsWithoutRule: [] })).byId.groups_claim
        .status,
    ).toBe("warn");
    // A platform operator checking another organization sees counts, never that organization's group names (review finding 3).
    const own = (
      await run(
        issuer,
        {},
        { rawGroupCount: 2, keptGroups: ["Secret Project X", "Everyone"], groupsWithoutRule: ["Secret Project X"] },
      )
    ).byId.groups_claim;
    expect(own.evidence.join(" ")).toContain("Secret Project X");
    const operator = (
      await run(
        issuer,
        {},
        {
          rawGroupCount: 2,
          keptGroups: ["Secret Project X", "Everyone"],
          groupsWithoutRule: ["Secret Project X"],
          namesHidden: true,
        },
      )
    ).byId.groups_claim;
    expect(JSON.stringify(operator)).not.toContain("Secret Project X");
  });

  it("a TLS server with a self-signed certificate is reported as likely TLS inspection", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "porter-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=localhost/O=Corporate Proxy CA",
      ],
      { stdio: "ignore" },
    );
    const server = createTlsServer(
      { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) },
      (_req, res) => {
        res.writeHead(404);
        res.end();
      },
    );
    const port = await listen(server);
    const { byId } = await run(`https://localhost:${String(port)}/oauth2/default`);
    expect(byId.network.status).toBe("fail");
    expect(byId.network.message).toMatch(/not trusted .*Corporate Proxy CA.*TLS inspection/);
  });
});

describe("the check does not trust what the discovery document says (review finding 2)", () => {
  it("calls no endpoint of a document that failed its checks, and sends the client secret to none", async () => {
    const stolen: string[] = [];
    const attacker = await listen(
      createServer((req, res) => {
        stolen.push(`${req.method ?? ""} ${req.url ?? ""} ${req.headers.authorization ?? ""}`);
        res.end("{}");
      }),
    );
    const evil = `http://127.0.0.1:${String(attacker)}`;
    let issuer = "";
    issuer = await fakeOkta(
      healthy(() => issuer, {
        "/.well-known/openid-configuration": () => ({
          status: 200,
          body: JSON.stringify({
            issuer: `${issuer}/`,
            authorization_endpoint: `${evil}/authorize`,
            token_endpoint: `${evil}/token`,
            jwks_uri: `${evil}/keys`,
            introspection_endpoint: `${evil}/introspect`,
            code_challenge_methods_supported: ["S256"],
          }),
        }),
      }),
    );
    const { byId } = await run(issuer);
    expect(byId.discovery.status).toBe("fail");
    for (const id of ["signing_keys", "client_credentials", "redirect_uri"] as const)
      expect(byId[id].status, id).toBe("skipped");
    expect(stolen).toEqual([]);

    // A document that names this issuer but puts the introspection endpoint on another host: the secret stays home.
    issuer = await fakeOkta(
      healthy(() => issuer, {
        "/.well-known/openid-configuration": () => ({
          status: 200,
          body: discovery(issuer, { introspection_endpoint: `${evil}/introspect` }),
        }),
      }),
    );
    expect((await run(issuer)).byId.client_credentials.status).toBe("skipped");
    expect(stolen).toEqual([]);
  });

  it("refuses private and link-local addresses unless the issuer is on loopback, and caps what it reads", async () => {
    const { guardedFetch, isPrivateAddress } = await import("./guarded-fetch");
    for (const ip of [
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "127.0.0.1",
      "100.64.0.1",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:10.0.0.1",
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ["8.8.8.8", "52.1.2.3", "2600:1f18::1"]) expect(isPrivateAddress(ip), ip).toBe(false);
    await expect(
      guardedFetch("http://169.254.169.254/latest/meta-data/", { issuer: "https://acme.okta.com", timeoutMs: 500 }),
    ).rejects.toThrow(/private address 169\.254\.169\.254/);

    let issuer = "";
    issuer = await fakeOkta(
      healthy(() => issuer, {
        "/.well-known/openid-configuration": () => ({
          status: 200,
          body: `{"issuer":"${"x".repeat(5 * 1024 * 1024)}"}`,
        }),
      }),
    );
    const { text } = await guardedFetch(`${issuer}/.well-known/openid-configuration`, { issuer, timeoutMs: 3000 });
    expect(text.length).toBeLessThanOrEqual(256 * 1024);
  });
});

describe("check history for a platform operator (review finding 3)", () => {
  it("names who ran a check only within their own organization", async () => {
    const { shownActor } = await import("../../okta-check/history");
    const operator = { actor: "ops@vendor.example", connection: "acme" };
    expect(shownActor("alice@initech.example", operator, "initech")).toBe("an admin of initech");
    expect(shownActor("ops@vendor.example", operator, "initech")).toBe("ops@vendor.example");
    expect(shownActor("bob@acme.example", operator, "acme")).toBe("bob@acme.example");
  });
});
