import { z } from "zod";

const loginParams = z.object({
  callbackUrl: z.string().max(2048).optional().catch(undefined),
  login_hint: z.string().max(320).optional().catch(undefined),
  switch: z.literal("1").optional().catch(undefined),
});

/** Reads sign-in parameters from the query and, for POST, a form body. Malformed values are dropped, never fatal. */
export async function readLoginParams(request: Request): Promise<{ callbackUrl: string | undefined; loginHint: string | undefined; switchAccount: boolean }> {
  const url = new URL(request.url);
  const values: Record<string, string> = Object.fromEntries(url.searchParams);
  if (request.method === "POST" && (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    const body = await request.text().catch(() => "");
    if (body.length <= 16_384) for (const [k, v] of new URLSearchParams(body)) values[k] = v;
  }
  const parsed = loginParams.parse(values);
  return { callbackUrl: parsed.callbackUrl, loginHint: parsed.login_hint, switchAccount: parsed.switch === "1" && request.method === "POST" };
}
