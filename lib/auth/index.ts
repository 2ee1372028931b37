import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import NextAuth from "next-auth";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import type { NextRequest } from "next/server";
import { organizationIdFor } from "../organizations";
import { audit, auditEvent, auditFlood } from "../audit";
import { getConfig, getConnection, type Connection } from "../config";
import { getDb } from "../db";
import { requestClient, type RequestClient } from "../http/client-ip";
import { overLimit, tooManySignIns } from "../limits/limits";
import { notFoundResponse } from "../http/not-found-response";
import {
  databaseWasUnavailable,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  markDatabaseUnavailable,
} from "../db/unavailable";
import { navigateOff } from "../http/navigate";
import { redirectNoStore } from "../http/redirect";
import { logger } from "../log";
import { getOidcMetadata } from "../okta";
import { classifySignInError, type CallbackErrorParams, type ClassifiedSignInError } from "./classify-error";
import { createAuthConfig, viewOfSession, type AuthDeps, type PorterSessionView } from "./config";
import { sessionIdOf } from "./session-cookie";
import { runCapturingAuthErrors } from "./context";
import { authCookies } from "./cookies";
import { sessionTokenContext, unseal } from "../sessions/seal";
import { AuthFlowError } from "./errors";
import { revokeSessionAudited } from "../sessions/store";
import type { SessionRow } from "../db/schema";
import { toSafeRedirectPath } from "./redirects";

export type { PorterSessionView } from "./config";
export { toSafeRedirectPath } from "./redirects";
export { describeSignInError, type SignInErrorPage } from "./describe-sign-in-error";
export { isSignInErrorCode, type SignInErrorCode } from "./errors";

/** What the Auth.js callbacks and the per-request session check need, for one request's client. */
function authDeps(client: RequestClient): AuthDeps {
  return {
    config: getConfig(),
    db: getDb,
    audit,
    auditFlood,
    overSignInBudget: async (organization) =>
      (await overLimit({ client, path: `/api/auth/callback/${organization.name}` }, "sign_in", organization, [
        "organization",
      ])) !== null,
    ...client,
  };
}

const nextAuth = NextAuth((req) =>
  createAuthConfig(authDeps(req ? requestClient(req.headers) : { ip: null, userAgent: null })),
);

export const { signIn, signOut } = nextAuth;

type RouteHandler = (req: NextRequest) => Promise<Response>;

function errorPageUrl(failure: ClassifiedSignInError, connection: string | null, ref: string): string {
  const params = new URLSearchParams({ code: failure.code, ref });
  if (connection) params.set("connection", connection);
  if (failure.idpError) params.set("idp_error", failure.idpError);
  return `${getConfig().publicUrl}/auth/error?${params.toString()}`;
}

/** Records a failed sign-in (audit + log) and returns where to send the browser. */
export async function recordSignInFailure(
  err: unknown,
  connection: Connection | null,
  client: RequestClient,
  where: string,
  idp?: CallbackErrorParams | null,
): Promise<string> {
  const failure = classifySignInError(err, idp);
  const ref = randomUUID();
  const organizationId = connection ? await organizationIdFor(await getDb(), connection.name).catch(() => null) : null;
  // Anyone can send a broken callback: the same refusal from one address is one event (with a count) a minute.
  await auditFlood({
    type: "sign_in.failed",
    organizationId,
    connection: connection?.name ?? null,
    ...client,
    reason: failure.code,
    refs: [ref],
    details: {
      code: failure.code,
      detail: failure.detail,
      where,
      ...(failure.idpError ? { idpError: failure.idpError } : {}),
    },
  });
  logger.warn({ event: "sign_in.failed", code: failure.code, connection: connection?.name, ref }, "sign-in failed");
  return errorPageUrl(failure, connection?.name ?? null, ref);
}

function providerIdFromPath(pathname: string): string | null {
  const match = /^\/api\/auth\/(?:callback|signin)\/([^/]+)$/.exec(pathname);
  return match?.[1] ?? null;
}

/**
 * Runs an Auth.js route and turns its generic error redirects ("?error=Configuration") into porter's
 * error page with the real cause, recorded in the audit log.
 */
function withSignInErrors(handler: RouteHandler): RouteHandler {
  return async (req) => {
    const requestPath = new URL(req.url).pathname;
    const callbackFor = /^\/api\/auth\/callback\/([^/]+)$/.exec(requestPath)?.[1];
    const callbackConnection = callbackFor ? getConnection(callbackFor) : null;
    if (callbackConnection && callbackConnection.region !== getConfig().region) {
      // Okta sent the browser to this region's callback, but the organization lives in the other one.
      const cause = new AuthFlowError({
        code: "wrong_region_callback",
        message: `callback for ${callbackConnection.name} (home ${callbackConnection.region}) reached ${getConfig().region}`,
        userMessage: "Wrong region.",
      });
      return redirectNoStore(
        await recordSignInFailure(cause, callbackConnection, requestClient(req.headers), "callback"),
        302,
      );
    }
    const { value: res, error } = await runCapturingAuthErrors(() => handler(req));
    if (!res) throw error;
    const location = res.headers.get("location");
    if (!location) return res;
    const target = new URL(location, getConfig().publicUrl);
    const isAuthErrorRedirect =
      target.searchParams.has("error") && (target.pathname === "/auth/error" || target.pathname === "/");
    if (!isAuthErrorRedirect) return res;
    const requestUrl = new URL(req.url);
    const providerId = providerIdFromPath(requestUrl.pathname);
    const cause = error ?? new Error(`Auth.js error ${target.searchParams.get("error") ?? ""}`);
    const idpError = requestUrl.searchParams.get("error");
    const idp = idpError
      ? { error: idpError, description: requestUrl.searchParams.get("error_description") ?? "" }
      : null;
    const url = await recordSignInFailure(
      cause,
      providerId ? getConnection(providerId) : null,
      requestClient(req.headers),
      "callback",
      idp,
    );
    const out = redirectNoStore(url, 302);
    for (const cookie of res.headers.getSetCookie()) out.headers.append("set-cookie", cookie);
    return out;
  };
}

/**
 * porter serves only Auth.js's callback over HTTP (sign-in, sign-out and the session run server-side
 * through signIn(), signOut() and auth()). The other actions (providers, session, csrf, signin pages)
 * answer 404: /api/auth/providers would list every organization of the deployment.
 */
function callbackOnly(handler: RouteHandler): RouteHandler {
  return async (req) => {
    const path = new URL(req.url).pathname;
    const name = /^\/api\/auth\/callback\/([^/]+)$/.exec(path)?.[1];
    if (!name) return notFoundResponse(req);
    // Anyone can send a callback: it counts against its address only. The organization's budget counts
    // sign-ins that completed (lib/auth/config.ts), so forged callbacks cannot lock an organization out.
    const limited = await overLimit(req, "sign_in", null, ["address"]);
    if (limited) return tooManySignIns(req, limited);
    return handler(req);
  };
}

export const handlers = {
  GET: callbackOnly(withSignInErrors(nextAuth.handlers.GET)),
  POST: callbackOnly(withSignInErrors(nextAuth.handlers.POST)),
};

const OKTA_PROBE_MS = 10_000;

/**
 * Starts an Authorization Code + PKCE sign-in (fresh state, nonce and code verifier) for a connection
 * and answers with the redirect to Okta. Used by the sign-in button and the direct login URL.
 */
export async function startSignIn(
  connection: Connection,
  options: {
    callbackUrl?: unknown;
    loginHint?: string | undefined;
    client: RequestClient;
    switchAccount?: boolean;
    request: Request;
  },
): Promise<Response> {
  const redirectTo = toSafeRedirectPath(options.callbackUrl, getConfig().publicUrl);
  // Before sending the browser to Okta: is Okta answering? A discovery read at most every 10 s per issuer
  // (one at a time), so during an Okta outage a sign-in gets porter's clear page within the 4 s timeout,
  // not the browser's "site can't be reached"; a burst of sign-ins still costs one request.
  const unreachable = await getOidcMetadata(connection.issuer, { maxAgeMs: OKTA_PROBE_MS }).then(
    () => null,
    (err: unknown) => err,
  );
  if (unreachable)
    return redirectNoStore(await recordSignInFailure(unreachable, connection, options.client, "start"), 303);
  const params: Record<string, string> = {};
  if (options.loginHint) params.login_hint = options.loginHint;
  if (options.switchAccount) {
    // Switching person: end the current porter session first, and make Okta ask who is signing in
    // instead of silently reusing its own session for the previous person.
    await revokeCurrentSession(options.client, "switch_account");
    params.prompt = "login";
  }
  const { value: outcome, error } = await runCapturingAuthErrors<unknown>(() =>
    signIn(connection.name, { redirect: false, redirectTo }, Object.keys(params).length > 0 ? params : undefined),
  );
  if (typeof outcome === "string" && !new URL(outcome).searchParams.has("error"))
    return navigateOff(options.request, outcome);
  const cause = error ?? new Error(`sign-in did not start: ${String(outcome)}`);
  return redirectNoStore(await recordSignInFailure(cause, connection, options.client, "start"), 303);
}

/**
 * The signed-in person as the server knows them, or null. Denies (null) on any session problem.
 * Memoised per request (React cache), so the layout and the page share one check.
 *
 * The cookie carries only the server-side session id, sealed by Auth.js at sign-in (with the session's
 * own absolute expiry); every request after that is checked here directly, not through Auth.js's session
 * action, which would derive keys, decrypt and re-encrypt the cookie on each request: the id is read once
 * per cookie and node (lib/auth/session-cookie.ts) and the session checked as the jwt callback does
 * (viewOfSession), from the node's session cache.
 */
export const getSessionView = cache(async (): Promise<PorterSessionView | null> => {
  const config = getConfig();
  const name = sessionCookieName();
  const jar = await cookies();
  const raw = jar.get(name)?.value;
  if (!raw) return null;
  const sid = await sessionIdOf(raw, config.authSecret, name);
  if (!sid) return null;
  try {
    return await viewOfSession(authDeps(requestClient(await headers())), await getDb(), sid);
  } catch (err) {
    // The database could not be reached: this request must not tell a signed-in person they are signed out:
    // 503 with Retry-After instead (server/serve.ts).
    if (isDatabaseUnavailable(err) || databaseWasUnavailable()) {
      markDatabaseUnavailable();
      throw new DatabaseUnavailableError("session check: database unavailable");
    }
    logger.error({ event: "session_check_failed", err }, "session check failed: the request is treated as signed out");
    return null;
  }
});

export function sessionCookieName(): string {
  return authCookies(getConfig().publicUrl).sessionToken.name;
}

/** Revokes the server-side session this request's cookie points at (if any), audited in the same transaction. */
async function revokeCurrentSession(
  client: RequestClient,
  reason: "sign_out" | "switch_account",
): Promise<SessionRow | null> {
  const config = getConfig();
  const name = sessionCookieName();
  const raw = (await cookies()).get(name)?.value;
  const sid = raw ? await sessionIdOf(raw, config.authSecret, name) : null;
  if (!sid) return null;
  return revokeSessionAudited(await getDb(), sid, reason, (row) => {
    const base = {
      organizationId: row.organizationId,
      connection: row.connection,
      ...client,
      target: `user:${row.userId}`,
      reason,
    };
    return reason === "sign_out"
      ? auditEvent("sign_out", { reason }, base)
      : auditEvent("session.revoked", { cause: reason, sessions: 1 }, base);
  });
}

/**
 * Ends the porter session (revoked server-side, cookie cleared) and returns Okta's logout URL
 * (RP-initiated logout with id_token_hint), so the Okta session ends too.
 */
export async function signOutEverywhere(client: RequestClient): Promise<string> {
  const config = getConfig();
  const revoked = await revokeCurrentSession(client, "sign_out");
  await signOut({ redirect: false });

  const connection = revoked ? getConnection(revoked.connection) : null;
  const signedOut = `${config.publicUrl}/signed-out`;
  const idToken = revoked?.idToken
    ? unseal(config.authSecret, revoked.idToken, sessionTokenContext(revoked.idHash, "id_token"))
    : null;
  if (!connection || !idToken) return signedOut;
  const metadata = await getOidcMetadata(connection.issuer).catch(() => null);
  if (!metadata?.end_session_endpoint) return signedOut;
  const logout = new URL(metadata.end_session_endpoint);
  logout.searchParams.set("id_token_hint", idToken);
  logout.searchParams.set("post_logout_redirect_uri", signedOut);
  logout.searchParams.set("state", randomBytes(16).toString("base64url"));
  return logout.toString();
}
