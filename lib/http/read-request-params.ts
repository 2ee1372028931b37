import { readBodyLimited } from "../core/read-body";

/** Longest parameter value kept; longer ones are dropped, never fatal. */
export const MAX_PARAM_LENGTH = 2048;

/**
 * Parameters from the query and, for a form POST, the body (which wins). Values longer than
 * MAX_PARAM_LENGTH and bodies over `maxBodyBytes` are ignored; unknown parameters are the caller's to ignore.
 */
export async function readRequestParams(request: Request, maxBodyBytes: number): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const [k, v] of new URL(request.url).searchParams) if (v.length <= MAX_PARAM_LENGTH) values.set(k, v);
  if (
    request.method === "POST" &&
    (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")
  ) {
    // A body over the limit is ignored (read no further than the limit), as a too-long value is.
    const body = await readBodyLimited(request, maxBodyBytes).catch(() => "");
    for (const [k, v] of new URLSearchParams(body)) if (v.length <= MAX_PARAM_LENGTH) values.set(k, v);
  }
  return values;
}
