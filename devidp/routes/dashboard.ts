import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { Directory } from "../support/directory";
import { esc, page } from "../support/views";

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/**
 * Okta's End-User Dashboard (/app/UserHome): the signed-in person's app tiles. A tile sends the browser
 * to the app's Initiate login URI with `iss` (OIDC third-party initiated login, Okta's "Redirect to app
 * to initiate login (OIDC Compliant)" mode). Signing in to the dashboard is a normal sign-in at devidp,
 * so clicking a tile afterwards needs no further prompt (single sign-on), as with Okta.
 */
export async function handleDashboard(
  provider: Provider,
  directory: Directory,
  issuer: string,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const sessionId = cookie(req, "_session");
  const session = sessionId ? await provider.Session.find(sessionId) : undefined;
  const user = session?.accountId ? directory.user(session.accountId) : null;
  if (!user) {
    // Sign in through devidp itself (the dashboard is an app of the org, like Okta's).
    const authorize = new URL(`${issuer}/v1/authorize`);
    authorize.search = new URLSearchParams({
      client_id: "okta-dashboard",
      response_type: "code",
      redirect_uri: `${origin}/app/UserHome`,
      scope: "openid",
      state: randomBytes(12).toString("base64url"),
      code_challenge: createHash("sha256").update(randomBytes(32)).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    res.writeHead(303, { location: authorize.toString(), "cache-control": "no-store" });
    res.end();
    return;
  }
  const tiles = directory.clients
    .filter((c) => c.initiate_login_uri && !c.okta_app?.tile_hidden)
    .map((c) => {
      const href = `${c.initiate_login_uri ?? ""}?${new URLSearchParams({ iss: issuer }).toString()}`;
      return `<a class="tile" href="${esc(href)}">${esc(c.label)}</a>`;
    })
    .join("");
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
  });
  res.end(
    page(
      "My Apps",
      `<main class="card wide"><h1>My Apps</h1><p class="sub">Signed in as <strong>${esc(user.email)}</strong></p>
<nav class="tiles" aria-label="Apps">${tiles}</nav>
<p><a href="${esc(`${issuer}/v1/logout?client_id=okta-dashboard`)}">Sign out of Okta</a></p></main>`,
    ),
  );
}
