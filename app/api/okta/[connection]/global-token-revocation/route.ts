import { universalLogout } from "@/lib/live-groups/universal-logout";

type Ctx = { params: Promise<{ connection: string }> };

/** Okta Universal Logout (Global Token Revocation): ends every porter session of one person. */
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return universalLogout(req, (await ctx.params).connection);
}
