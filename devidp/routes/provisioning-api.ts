import type { IncomingMessage, ServerResponse } from "node:http";
import type { Directory } from "../support/directory";
import type { ScimProvisioning } from "../support/provisioning";
import { authenticateApiCall, json, oktaError, type OAuthTokens } from "./management-api";

/**
 * An app's provisioning, as an Okta admin drives it (Okta's Apps API paths where Okta has one):
 *   POST   /api/v1/apps/{app}/users            {"id": "<user>"}   assign (provisions the person)
 *   DELETE /api/v1/apps/{app}/users/{user}                        unassign (SCIM active: false)
 *   POST   /api/v1/apps/{app}/provisioning/sync                   devidp's "Provision users" + "Push now"
 *   DELETE /api/v1/apps/{app}/group-push/{group name}             unlink the pushed group and delete it in the app
 *   GET    /api/v1/apps/{app}/provisioning/requests               devidp only: the SCIM requests it sent
 * SSWS token with okta.users.manage. Returns false for any other path.
 */
export async function handleProvisioningApi(
  directory: Directory,
  provisioning: ReadonlyMap<string, ScimProvisioning>,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  oauth?: OAuthTokens,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", origin);
  const m = /^\/api\/v1\/apps\/([^/]+)\/(users|provisioning|group-push)(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return false;
  const [, appId = "", kind, rest] = m;
  const app = provisioning.get(decodeURIComponent(appId));
  const method = req.method ?? "GET";
  const caller = await authenticateApiCall(directory, req, res, origin, oauth);
  if (!caller) return true;
  if (!caller.grant.includes("okta.users.manage")) {
    oktaError(res, 403, "E0000006", "You do not have permission to perform the requested action");
    return true;
  }
  if (!app) {
    oktaError(res, 404, "E0000007", `Not found: Resource not found: ${appId} (AppInstance with provisioning)`);
    return true;
  }
  try {
    if (kind === "provisioning" && rest === "sync" && method === "POST") {
      json(res, 200, await app.syncAll());
      return true;
    }
    if (kind === "provisioning" && rest === "requests" && method === "GET") {
      json(res, 200, app.requests);
      return true;
    }
    if (kind === "users" && method === "POST" && rest === undefined) {
      let body = "";
      for await (const chunk of req) body += String(chunk);
      const id = (JSON.parse(body || "{}") as { id?: unknown }).id;
      const user = typeof id === "string" ? directory.userByIdOrLogin(id) : null;
      if (!user) {
        oktaError(res, 404, "E0000007", `Not found: Resource not found: ${String(id)} (User)`);
        return true;
      }
      await app.setAssigned(user, true);
      json(res, 200, { id: user.id, scope: "USER", status: "PROVISIONED" });
      return true;
    }
    if (kind === "users" && method === "DELETE" && rest !== undefined) {
      const user = directory.userByIdOrLogin(decodeURIComponent(rest));
      if (!user) {
        oktaError(res, 404, "E0000007", `Not found: Resource not found: ${rest} (User)`);
        return true;
      }
      await app.setAssigned(user, false);
      res.writeHead(204).end();
      return true;
    }
    if (kind === "group-push" && method === "DELETE" && rest !== undefined) {
      if (!(await app.unpush(decodeURIComponent(rest)))) {
        oktaError(res, 404, "E0000007", `Not found: Resource not found: ${rest} (pushed group)`);
        return true;
      }
      res.writeHead(204).end();
      return true;
    }
  } catch (err) {
    oktaError(
      res,
      502,
      "E0000009",
      `Provisioning to the app failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return true;
  }
  oktaError(res, 405, "E0000022", `The endpoint does not support ${method}`);
  return true;
}
