import { FIXES, inAdminConsole, PLACES } from "../admin-console";
import { createHash, randomBytes } from "node:crypto";
import { isOrgAuthorizationServer } from "../authorization-server";
import { guardedFetch, trustedEndpoint } from "./guarded-fetch";
import type { Check, CheckContext, Discovery } from "./types";

/** Fetches the discovery document once per run, recording what came back. */
export async function fetchDiscovery(issuer: string, timeoutMs: number): Promise<Discovery> {
  const url = `${issuer}/.well-known/openid-configuration`;
  try {
    const { res, text } = await guardedFetch(url, { headers: { accept: "application/json" }, issuer, timeoutMs });
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      body =
        parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    return {
      ok: res.ok && body !== null,
      url,
      status: res.status,
      date: res.headers.get("date"),
      contentType: res.headers.get("content-type"),
      body,
      error: body ? null : "not JSON",
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      url,
      status: null,
      date: null,
      contentType: null,
      body: null,
      error: e.name === "TimeoutError" ? `no answer within ${String(timeoutMs)} ms` : (e.cause?.code ?? e.message),
    };
  }
}

const skippedWithoutDiscovery = {
  status: "skipped" as const,
  message:
    "Skipped: the discovery document could not be read or did not pass its checks (see the discovery check), so porter calls none of the endpoints it names.",
  evidence: [],
  fix: null,
};
const str = (v: unknown) => (typeof v === "string" ? v : null);

export const clockCheck: Check = async (ctx) => {
  const d = await ctx.discovery();
  if (!d.date) return skippedWithoutDiscovery;
  const skew = Math.round((Date.now() - new Date(d.date).getTime()) / 1000);
  const evidence = [
    `Okta Date header: ${d.date}`,
    `this server: ${new Date().toUTCString()}`,
    `skew: ${String(skew)} s`,
  ];
  const fix =
    "Synchronise this server's clock with NTP (e.g. enable systemd-timesyncd or chrony): porter checks token expiry without clock tolerance.";
  if (Math.abs(skew) > 300)
    return {
      status: "fail",
      message: `This server's clock is ${String(Math.abs(skew))} s ${skew > 0 ? "ahead of" : "behind"} Okta's: tokens would be refused.`,
      evidence,
      fix,
    };
  if (Math.abs(skew) > 30)
    return { status: "warn", message: `This server's clock is ${String(Math.abs(skew))} s off Okta's.`, evidence, fix };
  return { status: "pass", message: `Clock within ${String(Math.abs(skew))} s of Okta's.`, evidence, fix: null };
};

export const discoveryCheck: Check = async (ctx) => {
  const issuer = ctx.connection.issuer;
  const d = await ctx.discovery();
  const evidence = [
    `GET ${d.url} -> ${d.status === null ? (d.error ?? "failed") : `HTTP ${String(d.status)} ${d.contentType ?? ""}`}`,
  ];
  const fixIssuer = FIXES.issuer();
  if (d.status === null)
    return {
      status: "fail",
      message: `The discovery document could not be fetched: ${d.error ?? "error"}.`,
      evidence,
      fix: fixIssuer,
    };
  if (!d.body)
    return {
      status: "fail",
      message: `The issuer answered HTTP ${String(d.status)} with ${d.contentType ?? "no content type"}, not an OpenID Connect discovery document (JSON).`,
      evidence,
      fix: fixIssuer,
      value: issuer,
    };
  const found = str(d.body.issuer);
  evidence.push(`issuer in the document: ${found ?? "(missing)"}`);
  if (found !== issuer) {
    const why =
      found && found.replace(/\/$/, "") === issuer.replace(/\/$/, "")
        ? "they differ only by a trailing slash"
        : found && found.toLowerCase() === issuer.toLowerCase()
          ? "they differ only by letter case"
          : "it is another issuer";
    return {
      status: "fail",
      message: `The document names the issuer "${found ?? ""}", porter is configured with "${issuer}": ${why}. ID tokens would be refused.`,
      evidence,
      fix: `Set the connection's issuer to exactly the document's value.`,
      ...(found ? { value: found } : {}),
    };
  }
  const host = new URL(issuer).host;
  const endpoints = ["authorization_endpoint", "token_endpoint", "jwks_uri"].map((k) => [k, str(d.body?.[k])] as const);
  const offHost = endpoints.filter(([, v]) => !v || new URL(v).host !== host);
  if (offHost.length > 0)
    return {
      status: "fail",
      message: `Endpoints missing or on another host: ${offHost.map(([k]) => k).join(", ")}.`,
      evidence,
      fix: fixIssuer,
    };
  const methods = d.body.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes("S256"))
    return {
      status: "fail",
      message: "The authorization server does not list PKCE S256, which porter requires.",
      evidence,
      fix: null,
    };
  const org = isOrgAuthorizationServer(issuer);
  evidence.push(org ? "org authorization server" : "custom authorization server");
  return org
    ? {
        status: "warn",
        message:
          "Discovery is fine. This is Okta's org authorization server: sign-in works, but its access tokens cannot be verified by porter, so /api/v1 needs a custom authorization server.",
        evidence,
        fix: `${inAdminConsole(PLACES.authorizationServers)}: use a custom server (e.g. default) as the issuer to enable the bearer API.`,
      }
    : {
        status: "pass",
        message: "The discovery document loads, names this issuer exactly, and supports PKCE S256.",
        evidence,
        fix: null,
      };
};

export const signingKeysCheck: Check = async (ctx) => {
  const d = await ctx.discovery();
  const uri = trustedEndpoint(d.body, ctx.connection.issuer, "jwks_uri");
  if (!uri) return skippedWithoutDiscovery;
  try {
    const { res, text } = await guardedFetch(uri, { issuer: ctx.connection.issuer, timeoutMs: ctx.timeoutMs });
    const body = parseJson(text) as { keys?: unknown } | null;
    const keys = Array.isArray(body?.keys) ? (body.keys as Record<string, unknown>[]) : [];
    const rs256 = keys.filter((k) => k.kty === "RSA" && (k.alg === undefined || k.alg === "RS256") && k.use !== "enc");
    const kids = rs256.map((k) => str(k.kid) ?? "");
    const evidence = [
      `GET ${uri} -> HTTP ${String(res.status)}, ${String(keys.length)} key(s), ${String(rs256.length)} RS256: ${kids.join(", ")}`,
    ];
    if (rs256.length === 0)
      return {
        status: "fail",
        message: "The key set has no RS256 signing key: porter could verify no token.",
        evidence,
        fix: null,
      };
    if (new Set(kids).size !== kids.length || kids.includes(""))
      return {
        status: "fail",
        message: "Signing keys without a kid, or with the same kid twice.",
        evidence,
        fix: null,
      };
    return {
      status: "pass",
      message: `${String(rs256.length)} RS256 signing key(s) with unique kids.`,
      evidence,
      fix: null,
    };
  } catch (err) {
    return {
      status: "fail",
      message: `The key set could not be read: ${(err as Error).message}.`,
      evidence: [`GET ${uri} failed`],
      fix: null,
    };
  }
};

export const clientCredentialsCheck: Check = async (ctx) => {
  const { connection } = ctx;
  if (!connection.clientSecret) {
    return {
      status: "pass",
      message: `Public client (Okta Single-Page app): no secret to check; PKCE protects the code.`,
      evidence: [`client_id ${connection.clientId}, no secret configured`],
      fix: null,
    };
  }
  const d = await ctx.discovery();
  // The secret goes only to an endpoint on the issuer's own host, named by a document that passed its checks.
  const endpoint = trustedEndpoint(d.body, connection.issuer, "introspection_endpoint");
  if (!endpoint) return skippedWithoutDiscovery;
  const basic = Buffer.from(
    `${encodeURIComponent(connection.clientId)}:${encodeURIComponent(connection.clientSecret)}`,
  ).toString("base64");
  const evidence = [`POST ${endpoint} (Authorization: Basic ${connection.clientId}:****, token=<dummy>)`];
  try {
    const { res, text } = await guardedFetch(endpoint, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ token: "porter-configuration-check", token_type_hint: "access_token" }),
      issuer: connection.issuer,
      timeoutMs: ctx.timeoutMs,
    });
    const body = parseJson(text) as { error?: string; active?: boolean } | null;
    evidence.push(
      `-> HTTP ${String(res.status)} ${body?.error ?? (body && "active" in body ? `active=${String(body.active)}` : "")}`,
    );
    if (res.status === 401 || body?.error === "invalid_client") {
      return {
        status: "fail",
        message: "Okta refused porter's client ID or secret (invalid_client).",
        evidence,
        fix: `${inAdminConsole(PLACES.clientCredentials)}: copy the Client ID and the client secret (generate a new one if needed) into porter's configuration.`,
        value: connection.clientId,
      };
    }
    if (res.ok) return { status: "pass", message: "Okta accepts porter's client ID and secret.", evidence, fix: null };
    return {
      status: "warn",
      message: `Could not confirm the client secret: introspection answered HTTP ${String(res.status)}.`,
      evidence,
      fix: null,
    };
  } catch (err) {
    return { status: "fail", message: `Introspection request failed: ${(err as Error).message}.`, evidence, fix: null };
  }
};

/** Asks Okta whether a redirect URI is registered: prompt=none answers with a redirect if so, a 400 page if not. */
async function probeRedirect(
  ctx: CheckContext,
  authorize: string,
  redirectUri: string,
): Promise<{ registered: boolean | null; note: string }> {
  const url = new URL(authorize);
  url.search = new URLSearchParams({
    client_id: ctx.connection.clientId,
    response_type: "code",
    scope: "openid",
    redirect_uri: redirectUri,
    prompt: "none",
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(randomBytes(16)).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  try {
    const { res } = await guardedFetch(url.toString(), { issuer: ctx.connection.issuer, timeoutMs: ctx.timeoutMs });
    const location = res.headers.get("location") ?? "";
    if (res.status >= 300 && res.status < 400 && location.startsWith(redirectUri))
      return { registered: true, note: `HTTP ${String(res.status)} -> back to ${redirectUri}` };
    if (res.status === 400) return { registered: false, note: "HTTP 400 (redirect_uri not registered)" };
    return { registered: null, note: `HTTP ${String(res.status)}${location ? ` -> ${location.slice(0, 120)}` : ""}` };
  } catch (err) {
    return { registered: null, note: (err as Error).message };
  }
}

export const redirectUriCheck: Check = async (ctx) => {
  const d = await ctx.discovery();
  const authorize = trustedEndpoint(d.body, ctx.connection.issuer, "authorization_endpoint");
  if (!authorize) return skippedWithoutDiscovery;
  const here = await probeRedirect(ctx, authorize, ctx.urls.signInRedirectUri);
  const evidence = [`GET authorize?prompt=none&redirect_uri=${ctx.urls.signInRedirectUri} -> ${here.note}`];
  const where = inAdminConsole(PLACES.signInRedirectUris);
  if (here.registered)
    return {
      status: "pass",
      message: `Okta accepts this region's (${ctx.urls.region.toUpperCase()}) sign-in redirect URI.`,
      evidence,
      fix: null,
    };
  if (here.registered === null)
    return {
      status: "warn",
      message: `Could not tell whether the redirect URI is registered (${here.note}).`,
      evidence,
      fix: `${where}: make sure it lists the value below.`,
      value: ctx.urls.signInRedirectUri,
    };
  const other = await probeRedirect(ctx, authorize, ctx.otherUrls.signInRedirectUri);
  evidence.push(`GET authorize?prompt=none&redirect_uri=${ctx.otherUrls.signInRedirectUri} -> ${other.note}`);
  if (other.registered) {
    return {
      status: "fail",
      message: `Your Okta app lists the ${ctx.otherUrls.region.toUpperCase()} callback, but this organization lives in the ${ctx.urls.region.toUpperCase()}: replace ${ctx.otherUrls.signInRedirectUri} with ${ctx.urls.signInRedirectUri}.`,
      evidence,
      fix: `${where}: replace ${ctx.otherUrls.signInRedirectUri} with the value below, then Save.`,
      value: ctx.urls.signInRedirectUri,
    };
  }
  return {
    status: "fail",
    message: "Okta does not accept porter's sign-in redirect URI: every sign-in would end on Okta's HTTP 400 page.",
    evidence,
    fix: `${where}: add the value below, then Save.`,
    value: ctx.urls.signInRedirectUri,
  };
};

export const groupsClaimCheck: Check = (ctx) => {
  const s = ctx.signIn;
  if (!s) {
    return Promise.resolve({
      status: "skipped" as const,
      message: "Skipped: needs a sign-in to look at (run it from /admin/okta after signing in).",
      evidence: [],
      fix: null,
    });
  }
  const evidence = [
    `your last sign-in: ${String(s.rawGroupCount)} group(s) in the claim, ${String(s.keptGroups.length)} kept by porter's filter, ${String(s.groupsWithoutRule.length)} kept but matching no rule`,
  ];
  const claimFix = FIXES.groupsClaim(ctx.connection.groupsClaim);
  if (s.rawGroupCount === 0)
    return Promise.resolve({
      status: "fail" as const,
      message: `Your last sign-in carried no "${ctx.connection.groupsClaim}" claim: nobody's groups reach porter.`,
      evidence,
      fix: claimFix,
      value: ".*",
    });
  if (s.rawGroupCount >= 100)
    return Promise.resolve({
      status: "warn" as const,
      message: `Your last sign-in carried ${String(s.rawGroupCount)} groups, Okta's cap: the list may be cut short.`,
      evidence,
      fix: `${claimFix}: narrow the regex so fewer than 100 groups match.`,
    });
  if (s.groupsWithoutRule.length > 0)
    return Promise.resolve({
      status: "pass" as const,
      message: `The groups claim works (${String(s.keptGroups.length)} kept); ${String(s.groupsWithoutRule.length)} of them match no rule (fine if intended).`,
      evidence: s.namesHidden ? evidence : [...evidence, `no rule: ${s.groupsWithoutRule.slice(0, 10).join(", ")}`],
      fix: null,
    });
  return Promise.resolve({
    status: "pass" as const,
    message: `The groups claim works: ${String(s.keptGroups.length)} group(s) kept.`,
    evidence,
    fix: null,
  });
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
