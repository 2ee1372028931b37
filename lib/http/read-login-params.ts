import { z } from "zod";
import { readRequestParams } from "./read-request-params";

const loginParams = z.object({
  callbackUrl: z.string().max(2048).optional().catch(undefined),
  login_hint: z.string().max(320).optional().catch(undefined),
  switch: z.literal("1").optional().catch(undefined),
});

/** Reads sign-in parameters from the query and, for POST, a form body. Malformed values are dropped, never fatal. */
export async function readLoginParams(
  request: Request,
): Promise<{ callbackUrl: string | undefined; loginHint: string | undefined; switchAccount: boolean }> {
  const parsed = loginParams.parse(Object.fromEntries(await readRequestParams(request, 16_384)));
  return {
    callbackUrl: parsed.callbackUrl,
    loginHint: parsed.login_hint,
    switchAccount: parsed.switch === "1" && request.method === "POST",
  };
}
