import { CONNECTION_NAME_PATTERN } from "@/lib/config";
import { readLoginParams } from "@/lib/http/read-login-params";
import { redirectNoStore } from "@/lib/http/redirect";

/** The start page's organization form: on to that organization's direct login URL (which 404s if unknown). */
export async function GET(request: Request): Promise<Response> {
  const organization = (new URL(request.url).searchParams.get("organization") ?? "").trim().toLowerCase();
  const { callbackUrl } = await readLoginParams(request);
  if (!CONNECTION_NAME_PATTERN.test(organization)) {
    return redirectNoStore("/?organization=invalid");
  }
  const query = callbackUrl ? `?${new URLSearchParams({ callbackUrl }).toString()}` : "";
  return redirectNoStore(`/login/${organization}${query}`);
}
