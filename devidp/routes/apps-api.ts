import type { IncomingMessage, ServerResponse } from "node:http";
import type { Directory, DirectoryClient } from "../support/directory";
import { authenticateApiCall, type OAuthTokens } from "./management-api";

/** Okta's error body shape. */
function oktaError(res: ServerResponse, status: number, errorCode: string, errorSummary: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      errorCode,
      errorSummary,
      errorLink: errorCode,
      errorId: `oae${Math.random().toString(36).slice(2, 12)}`,
      errorCauses: [],
    }),
  );
}

/** An app as Okta's Apps API returns it (GET /api/v1/apps/{id}), the subset porter's check reads. */
export function oktaAppJson(c: DirectoryClient) {
  const grantTypes = [...(c.grant_types ?? ["authorization_code"]), ...(c.okta_app?.extra_grant_types ?? [])];
  return {
    id: c.client_id,
    name: "oidc_client",
    label: c.label,
    status: c.okta_app?.status ?? "ACTIVE",
    signOnMode: "OPENID_CONNECT",
    visibility: {
      autoSubmitToolbar: false,
      hide: { iOS: c.okta_app?.tile_hidden ?? false, web: c.okta_app?.tile_hidden ?? false },
    },
    credentials: {
      oauthClient: {
        client_id: c.client_id,
        token_endpoint_auth_method: c.token_endpoint_auth_method,
        autoKeyRotation: true,
      },
    },
    settings: {
      oauthClient: {
        redirect_uris: c.redirect_uris,
        post_logout_redirect_uris: c.post_logout_redirect_uris,
        ...(c.initiate_login_uri ? { initiate_login_uri: c.initiate_login_uri } : {}),
        response_types: grantTypes.includes("implicit") ? ["code", "token", "id_token"] : ["code"],
        grant_types: grantTypes,
        application_type:
          c.token_endpoint_auth_method === "none" ? (c.application_type === "native" ? "native" : "browser") : "web",
        consent_method: "TRUSTED",
        issuer_mode: "DYNAMIC",
        idp_initiated_login: {
          mode: c.okta_app?.idp_initiated_mode ?? (c.initiate_login_uri ? "SPEC" : "DISABLED"),
          default_scope: [],
        },
      },
    },
  };
}

/**
 * GET /api/v1/apps/{id}, authenticated like the rest of the management API (an SSWS token, or an API
 * Services app's OAuth token with okta.apps.read), with Okta's status codes and error bodies.
 */
export async function handleAppsApi(
  directory: Directory,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  oauth?: OAuthTokens,
): Promise<void> {
  const match = /^\/api\/v1\/apps\/([^/?]+)$/.exec((req.url ?? "").split("?")[0] ?? "");
  if (req.method !== "GET" || !match) {
    oktaError(res, 404, "E0000022", "The endpoint does not support the provided HTTP method");
    return;
  }
  const caller = await authenticateApiCall(directory, req, res, origin, oauth);
  if (!caller) return;
  if (!caller.grant.includes("okta.apps.read")) {
    oktaError(res, 403, "E0000006", "You do not have permission to perform the requested action");
    return;
  }
  let id: string;
  try {
    id = decodeURIComponent(match[1] ?? "");
  } catch {
    // Like Okta: an id that is not even valid percent-encoding names no app.
    oktaError(res, 404, "E0000007", `Not found: Resource not found: ${match[1] ?? ""} (AppInstance)`);
    return;
  }
  const client = directory.client(id);
  if (!client) {
    oktaError(res, 404, "E0000007", `Not found: Resource not found: ${id} (AppInstance)`);
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(oktaAppJson(client)));
}
