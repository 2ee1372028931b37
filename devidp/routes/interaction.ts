import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { Directory } from "../support/directory";
import { API_AUDIENCE, API_SCOPES } from "../support/configuration";
import { loginPage } from "../support/views";

const MAX_FORM_BYTES = 8 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error("form too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
  });
  res.end(body);
}

/** The sign-in page (GET /interaction/:uid), its submit (POST .../login) and Cancel (POST .../abort). */
export async function handleInteraction(
  provider: Provider,
  directory: Directory,
  req: IncomingMessage,
  res: ServerResponse,
  prefix = "/interaction",
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://devidp.invalid");
  const match = /^\/[\w-]+\/([\w-]+)(?:\/(login|abort))?$/.exec(url.pathname);
  if (!match || !url.pathname.startsWith(`${prefix}/`)) {
    html(res, 404, "Not found");
    return;
  }
  const [, uid, action] = match;
  const base = `${prefix}/${uid ?? ""}`;

  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    html(res, 400, "This sign-in request has expired. Go back to the application and start again.");
    return;
  }
  const clientId = typeof details.params.client_id === "string" ? details.params.client_id : "";
  const clientLabel = directory.client(clientId)?.label ?? clientId;

  if (req.method === "GET" && !action) {
    if (details.prompt.name === "consent") {
      // Consent is implied for the demo apps (admin consent, as for Okta first-party apps). Native apps are
      // asked every time by oidc-provider's policy, so grant what was requested here.
      const accountId = details.session?.accountId;
      if (!accountId)
        return provider.interactionFinished(req, res, { error: "login_required" }, { mergeWithLastSubmission: false });
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      const scope = typeof details.params.scope === "string" ? details.params.scope : "openid";
      grant.addOIDCScope(scope);
      const apiScopes = scope.split(" ").filter((s) => API_SCOPES.split(" ").includes(s));
      if (apiScopes.length > 0) grant.addResourceScope(API_AUDIENCE, apiScopes.join(" "));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (details.prompt.name !== "login") {
      return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : undefined;
    html(res, 200, loginPage({ action: `${base}/login`, abort: `${base}/abort`, clientLabel, username: hint }));
    return;
  }
  if (req.method === "POST" && action === "abort") {
    return provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "End-User aborted interaction" },
      { mergeWithLastSubmission: false },
    );
  }
  if (req.method === "POST" && action === "login") {
    const form = await readForm(req);
    const username = form.get("username") ?? "";
    const user = directory.authenticate(username, form.get("password") ?? "");
    if (!user) {
      html(
        res,
        401,
        loginPage({
          action: `${base}/login`,
          abort: `${base}/abort`,
          clientLabel,
          username,
          error: "Unable to sign in: the username or password is not correct.",
        }),
      );
      return;
    }
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id } },
      { mergeWithLastSubmission: false },
    );
  }
  html(res, 405, "Method not allowed");
}
