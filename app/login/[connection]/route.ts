import { startSignIn } from "@/lib/auth";
import { overLimit, tooManySignIns } from "@/lib/limits";
import { getConfig, getConnection, homeRegionUrl } from "@/lib/config";
import { requestClient } from "@/lib/http/client-ip";
import { notFoundResponse } from "@/lib/http/not-found-response";
import { readLoginParams } from "@/lib/http/read-login-params";
import { htmlPage } from "@/lib/http/html-page";
import { redirectNoStore } from "@/lib/http/redirect";
import { isSameOriginRequest } from "@/lib/http/same-origin";

type Ctx = { params: Promise<{ connection: string }> };

/**
 * Direct login URL and the sign-in button: GET or POST starts a fresh Authorization Code + PKCE sign-in at
 * once. A connection homed in the other region is sent there (303), never answered with an error.
 */
async function handle(request: Request, ctx: Ctx): Promise<Response> {
  const connection = getConnection((await ctx.params).connection);
  if (!connection) return notFoundResponse(request);
  // A POST here can end the current session (switch of account): only porter's own pages may send one.
  if (request.method === "POST" && !isSameOriginRequest(request.headers, getConfig().publicUrl)) {
    return htmlPage({
      status: 403,
      title: "This sign-in was started from another site",
      paragraphs: [
        "porter only accepts this form from its own pages, so nothing was changed. Start the sign-in from porter's start page or your organization's sign-in link.",
      ],
      nonce: request.headers.get("x-nonce"),
    });
  }
  // Anyone can start a sign-in: per address only (completed sign-ins count against the organization).
  const limited = await overLimit(request, "sign_in", null, ["address"]);
  if (limited) return tooManySignIns(request, limited);
  const params = await readLoginParams(request);
  const query = new URLSearchParams();
  if (params.callbackUrl) query.set("callbackUrl", params.callbackUrl);
  if (params.loginHint) query.set("login_hint", params.loginHint);
  const home = homeRegionUrl(
    getConfig(),
    connection,
    `/login/${encodeURIComponent(connection.name)}${query.size > 0 ? `?${query.toString()}` : ""}`,
  );
  if (home) return redirectNoStore(home);
  return startSignIn(connection, {
    callbackUrl: params.callbackUrl,
    loginHint: params.loginHint,
    client: requestClient(request.headers),
    switchAccount: params.switchAccount,
    request,
  });
}

export const GET = handle;
export const POST = handle;
