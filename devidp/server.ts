import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider from "oidc-provider";
import { handleAppsApi } from "./routes/apps-api";
import { handleDashboard } from "./routes/dashboard";
import { handleInteraction } from "./routes/interaction";
import { handleManagementApi, oktaError, RateLimiter } from "./routes/management-api";
import { handleProvisioningApi } from "./routes/provisioning-api";
import { handleSsfApi } from "./routes/ssf-api";
import { SsfTransmitter } from "./support/ssf";
import { ScimProvisioning } from "./support/provisioning";
import { configuration } from "./support/configuration";
import { Directory, type ProvisioningSettings } from "./support/directory";
import { AUTH_SERVER_PATH, readIdpEnv } from "./support/env";
import { loadOrCreateKeys, rotateSigningKey } from "./support/keys";
import { oauthTokens } from "./support/oauth-tokens";
import { OktaOrg } from "./support/okta-org";
import { esc, page } from "./support/views";
import { isLoopbackHost } from "./support/host";

/** devidp: an Okta-shaped OpenID Provider for porter's demo and tests. Its own process; porter never imports it. */
export async function startIdp() {
  const env = readIdpEnv();
  const directory = Directory.load(env);
  const keys = await loadOrCreateKeys(env.dataDir);
  const issuer = `${env.origin}${AUTH_SERVER_PATH}`;
  let provider = new Provider(issuer, configuration(directory, keys));
  let oidc = provider.callback();
  // Okta's org authorization server: issuer = the org URL, endpoints under /oauth2/v1, groups in the ID token only.
  const orgProvider = new Provider(env.origin, configuration(directory, keys, "org"));
  const orgOidc = orgProvider.callback();
  const signingKey = keys.jwks.keys[0];
  if (!signingKey) throw new Error("devidp: no signing key");
  const org = new OktaOrg(directory, signingKey, env.origin);
  /** A sign-out at Okta (the dashboard's, or an app's RP-initiated logout) ends the Okta session: user.session.end. */
  const followSignOuts = (p: Provider) => {
    p.on("end_session.success", (ctx: { oidc?: { session?: { accountId?: string } } }) => {
      const user = ctx.oidc?.session?.accountId ? directory.user(ctx.oidc.session.accountId) : null;
      if (user) org.endSession(user, { id: user.id, type: "User", alternateId: user.email, displayName: user.name });
    });
  };
  followSignOuts(provider);
  followSignOuts(orgProvider);
  const limiter = new RateLimiter(env.rateLimitPerMinute);
  const checkOAuth = oauthTokens(orgProvider);
  // Apps Okta provisions over SCIM: each follows the org's changes (assignments, lifecycle, pushed groups).
  const provisioning = new Map(
    directory.clients
      .filter((c): c is typeof c & { provisioning: ProvisioningSettings } => c.provisioning !== undefined)
      .map((c) => [c.client_id, new ScimProvisioning(c, directory)]),
  );
  // Okta as a Shared Signals transmitter: the org's sessions ending become CAEP session-revoked SETs.
  const ssf = new SsfTransmitter(directory, signingKey, env.origin);
  org.listeners.push((event) => {
    ssf.onEvent(event);
  });
  for (const p of provisioning.values())
    org.listeners.push((event) => {
      p.onEvent(event);
    });

  /** Whether the request's SSWS token may manage authorization servers; when not, answers 401 or 403 as Okta does. */
  function mayManageAuthServers(req: IncomingMessage, res: ServerResponse): boolean {
    const token = /^SSWS (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const grant = token ? directory.apiToken(token) : null;
    if (!grant) oktaError(res, 401, "E0000011", "Invalid token provided");
    else if (!grant.includes("okta.authzServers.manage"))
      oktaError(res, 403, "E0000006", "You do not have permission to perform the requested action");
    return grant?.includes("okta.authzServers.manage") ?? false;
  }

  /**
   * Okta's key rollover for a custom authorization server (POST /api/v1/authorizationServers/{id}/credentials/
   * lifecycle/keyRotate): a new key signs from now on and is published first; the old one stays published,
   * so tokens it signed still verify. Sessions and grants survive (oidc-provider's store is per process).
   */
  async function rotateKeys(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!mayManageAuthServers(req, res)) return;
    const rotated = await rotateSigningKey(env.dataDir, keys);
    provider = new Provider(issuer, configuration(directory, rotated));
    followSignOuts(provider);
    oidc = provider.callback();
    keys.jwks = rotated.jwks;
    console.log(`devidp: signing key rotated; now ${String(rotated.jwks.keys[0]?.kid)}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        rotated.jwks.keys.map((k, i) => ({
          kid: k.kid,
          alg: k.alg,
          use: "sig",
          status: i === 0 ? "ACTIVE" : "INACTIVE",
        })),
      ),
    );
  }

  /** Faults for porter's fault tests (devidp only; Okta has no such switch): a token endpoint that answers slowly. */
  const faults = { tokenDelayMs: 0 };
  const delayed = new WeakSet<IncomingMessage>();
  async function setFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!mayManageAuthServers(req, res)) return;
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const delay = Number((JSON.parse(body || "{}") as { tokenDelayMs?: unknown }).tokenDelayMs ?? 0);
    faults.tokenDelayMs = Number.isFinite(delay) ? Math.min(60_000, Math.max(0, delay)) : 0;
    console.log(`devidp: token endpoint delay ${String(faults.tokenDelayMs)} ms`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(faults));
  }

  const server = createServer((req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    if (!isLoopbackHost(req.headers.host, env.origin)) {
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      res.end(
        "devidp answers only requests addressed to localhost or 127.0.0.1 (it is a local demo identity provider).",
      );
      return;
    }
    const url = offlineAccessAsOkta(req.url ?? "/");
    req.url = url;
    if (req.method === "POST" && url === "/devidp/faults") {
      setFaults(req, res).catch(() => {
        if (!res.headersSent) oktaError(res, 400, "E0000003", "The request body was not well-formed.");
      });
      return;
    }
    if (faults.tokenDelayMs > 0 && !delayed.has(req) && /^\/oauth2\/(default\/)?v1\/token$/.test(url)) {
      delayed.add(req);
      setTimeout(() => server.emit("request", req, res), faults.tokenDelayMs);
      return;
    }
    if (req.method === "POST" && url === "/api/v1/authorizationServers/default/credentials/lifecycle/keyRotate") {
      rotateKeys(req, res).catch((err: unknown) => {
        console.error("devidp: key rotation failed", err);
        if (!res.headersSent) oktaError(res, 500, "E0000009", "Internal Server Error");
      });
      return;
    }
    if (url === AUTH_SERVER_PATH || url.startsWith(`${AUTH_SERVER_PATH}/`) || url.startsWith(`${AUTH_SERVER_PATH}?`)) {
      req.originalUrl = url;
      req.url = url.slice(AUTH_SERVER_PATH.length) || "/";
      void oidc(req, res);
      return;
    }
    if (
      url.startsWith("/oauth2/v1/") ||
      url === "/.well-known/openid-configuration" ||
      url.startsWith("/.well-known/openid-configuration?")
    ) {
      void orgOidc(req, res);
      return;
    }
    if (url.startsWith("/interaction-org/")) {
      handleInteraction(orgProvider, directory, req, res, "/interaction-org").catch((err: unknown) => {
        console.error("devidp: interaction failed", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("devidp: internal error");
      });
      return;
    }
    if (url.startsWith("/interaction/")) {
      handleInteraction(provider, directory, req, res).catch((err: unknown) => {
        console.error("devidp: interaction failed", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("devidp: internal error");
      });
      return;
    }
    if (url === "/.well-known/ssf-configuration" || url.startsWith("/api/v1/ssf/")) {
      handleSsfApi(directory, ssf, req, res, env.origin, checkOAuth).catch((err: unknown) => {
        console.error("devidp: SSF API failed", err);
        if (!res.headersSent) oktaError(res, 500, "E0000009", "Internal Server Error");
        else res.end();
      });
      return;
    }
    if (url.startsWith("/api/v1/")) {
      handleManagementApi(directory, org, limiter, req, res, env.origin, checkOAuth)
        .then(async (handled) => {
          if (handled) return;
          if (await handleProvisioningApi(directory, provisioning, req, res, env.origin, checkOAuth)) return;
          return handleAppsApi(directory, req, res, env.origin, checkOAuth);
        })
        .catch((err: unknown) => {
          console.error("devidp: management API failed", err);
          if (!res.headersSent) oktaError(res, 500, "E0000009", "Internal Server Error");
          else res.end();
        });
      return;
    }
    if (url === "/app/UserHome" || url.startsWith("/app/UserHome?")) {
      handleDashboard(provider, directory, issuer, env.origin, req, res).catch((err: unknown) => {
        console.error("devidp: dashboard failed", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("devidp: internal error");
      });
      return;
    }
    if (url === "/" || url === "/health") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        page(
          "devidp",
          `<main class="card wide"><h1>devidp is running</h1><p>Issuer: <code>${esc(issuer)}</code></p></main>`,
        ),
      );
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found");
  });

  await new Promise<void>((resolve) => server.listen(env.port, "127.0.0.1", resolve));
  console.log(`devidp: issuer ${issuer} listening on 127.0.0.1:${String(env.port)}`);
  return { server, issuer };
}

/**
 * Okta issues a refresh token whenever offline_access is asked for (and the app has the Refresh Token
 * grant); oidc-provider follows OIDC Core 11 and drops offline_access unless prompt=consent. devidp adds
 * that prompt to such authorize requests (consent is implied for the demo apps, so nobody sees a page).
 */
function offlineAccessAsOkta(url: string): string {
  if (!/^(\/oauth2\/default\/v1|\/oauth2\/v1)\/authorize\?/.test(url)) return url;
  const parsed = new URL(url, "http://devidp");
  const scopes = (parsed.searchParams.get("scope") ?? "").split(" ");
  if (!scopes.includes("offline_access") || parsed.searchParams.has("prompt")) return url;
  parsed.searchParams.set("prompt", "consent");
  return `${parsed.pathname}${parsed.search}`;
}

await startIdp();
