import { startSignIn } from "@/lib/auth";
import { getConnection } from "@/lib/config";
import { clientIp } from "@/lib/http/client-ip";
import { notFoundResponse } from "@/lib/http/not-found-response";
import { readLoginParams } from "@/lib/http/read-login-params";

type Ctx = { params: Promise<{ connection: string }> };

/** Direct login URL: GET or POST starts a fresh Authorization Code + PKCE sign-in at once. */
async function handle(request: Request, ctx: Ctx): Promise<Response> {
  const connection = getConnection((await ctx.params).connection);
  if (!connection) return notFoundResponse();
  const params = await readLoginParams(request);
  return startSignIn(connection, { callbackUrl: params.callbackUrl, loginHint: params.loginHint, ip: clientIp(request.headers) });
}

export const GET = handle;
export const POST = handle;
