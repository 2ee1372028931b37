import "server-only";
import { randomUUID } from "node:crypto";
import { auditFlood } from "../audit";
import { connectionUrls, getConfig, homeRegionUrl, type Connection } from "../config";
import { requestClient, type RequestClient } from "../http/client-ip";
import { htmlPage } from "../http/html-page";
import { readRequestParams } from "../http/read-request-params";
import { redirectNoStore } from "../http/redirect";
import { overLimit, tooManySignIns } from "../limits/limits";
import { organizationIdFor } from "../organizations";
import { getDb } from "../db";
import { describeSignInError } from "./describe-sign-in-error";
import { SIGN_IN_FAILURES, type SignInErrorCode } from "../core/sign-in-failures";
import { getSessionView, startSignIn } from "./index";
import { toSafeRedirectPath } from "./redirects";

async function refuse(
  request: Request,
  code: SignInErrorCode,
  connection: Connection,
  client: RequestClient,
  details: Record<string, unknown>,
): Promise<Response> {
  const ref = randomUUID();
  const organizationId = await organizationIdFor(await getDb(), connection.name).catch(() => null);
  await auditFlood({
    type: "sign_in.failed",
    organizationId,
    connection: connection.name,
    ...client,
    reason: code,
    refs: [ref],
    details: { code, where: "initiate", ...details },
  });
  const config = getConfig();
  const page = describeSignInError(code, {
    connection,
    urls: { home: connectionUrls(config, connection), here: connectionUrls(config, connection, config.region) },
  });
  return htmlPage({
    status: SIGN_IN_FAILURES[code].status,
    title: page.title,
    paragraphs: [page.summary],
    steps: page.steps,
    values: page.values,
    reference: ref,
    nonce: request.headers.get("x-nonce"),
  });
}

/**
 * Third-party initiated login (OIDC Core §4), the Okta dashboard tile's entry point. Checks `iss`
 * exactly, keeps `target_link_uri` only as a same-origin path, passes `login_hint` on, refuses tokens
 * sent directly, never silently replaces a signed-in person, and starts a fresh Authorization Code +
 * PKCE flow (new state and nonce each time).
 */
export async function initiateLogin(request: Request, connection: Connection): Promise<Response> {
  const client = requestClient(request.headers);
  // Anyone can start a sign-in: per address only (completed sign-ins count against the organization).
  const limited = await overLimit(request, "sign_in", null, ["address"]);
  if (limited) return tooManySignIns(request, limited);
  const params = await readRequestParams(request, 32_768);
  const config = getConfig();

  const home = homeRegionUrl(
    config,
    connection,
    `${new URL(request.url).pathname}?${new URLSearchParams([...params]).toString()}`,
  );
  if (home) return redirectNoStore(home);

  if (params.has("id_token") || params.has("access_token") || params.has("code")) {
    return refuse(request, "unsolicited_token", connection, client, {
      received: [...params.keys()].filter((k) => ["id_token", "access_token", "code"].includes(k)),
    });
  }
  const iss = params.get("iss");
  if (iss !== connection.issuer) {
    return refuse(request, "initiate_iss_mismatch", connection, client, {
      iss: iss === undefined ? null : iss.slice(0, 300),
      expected: connection.issuer,
    });
  }
  const target = toSafeRedirectPath(params.get("target_link_uri"), config.publicUrl);
  const loginHint = params.get("login_hint")?.slice(0, 320);

  const current = await getSessionView();
  if (current) {
    const sameOrg = current.connection === connection.name;
    const samePerson = !loginHint || loginHint.toLowerCase() === (current.user.email ?? "").toLowerCase();
    if (sameOrg && samePerson) return redirectNoStore(`${config.publicUrl}${target}`);
    // Someone else is signed in here: ask, never switch silently.
    const next = new URLSearchParams({ target });
    if (loginHint) next.set("login_hint", loginHint);
    return redirectNoStore(
      `${config.publicUrl}/login/${encodeURIComponent(connection.name)}/switch?${next.toString()}`,
    );
  }
  return startSignIn(connection, { callbackUrl: target, loginHint, client, request });
}
