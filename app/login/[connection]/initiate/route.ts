import { initiateLogin } from "@/lib/auth/initiate-login";
import { getConnection } from "@/lib/config";
import { notFoundResponse } from "@/lib/http/not-found-response";

type Ctx = { params: Promise<{ connection: string }> };

/** Initiate login URI (the Okta dashboard tile): GET and POST. */
async function handle(request: Request, ctx: Ctx): Promise<Response> {
  const connection = getConnection((await ctx.params).connection);
  return connection ? initiateLogin(request, connection) : notFoundResponse(request);
}

export const GET = handle;
export const POST = handle;
