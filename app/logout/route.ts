import { signOutEverywhere } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { requestClient } from "@/lib/http/client-ip";
import { htmlPage } from "@/lib/http/html-page";
import { navigateOff } from "@/lib/http/navigate";
import { isSameOriginRequest } from "@/lib/http/same-origin";

/**
 * POST /logout (the Sign out button): ends the porter session (revoked server-side, audited) and sends the
 * browser to Okta's end_session_endpoint with id_token_hint, so the Okta session ends too.
 */
export async function POST(request: Request): Promise<Response> {
  if (!isSameOriginRequest(request.headers, getConfig().publicUrl)) {
    return htmlPage({
      status: 403,
      title: "Sign-out from another site",
      paragraphs: ["porter only signs you out from its own pages. Nothing was changed."],
      nonce: request.headers.get("x-nonce"),
    });
  }
  return navigateOff(request, await signOutEverywhere(requestClient(request.headers)));
}
