import { eventHookDelivery, eventHookVerification } from "@/lib/live-groups/okta-hook-route";

type Ctx = { params: Promise<{ connection: string }> };

/** Okta Event Hook: the one-time verification (GET) and event deliveries (POST). */
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  return eventHookVerification(req, (await ctx.params).connection);
}

export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return eventHookDelivery(req, (await ctx.params).connection);
}
