/**
 * Whether a state-changing request comes from porter's own pages. Browsers send `Sec-Fetch-Site` (and
 * `Origin` on POST); a sibling host (the other region, another subdomain) is "same-site" but not
 * same-origin, so SameSite=Lax cookies alone do not stop it. Requests with neither header are not from a
 * browser (curl, tests): there are no ambient cookies to abuse.
 */
export function isSameOriginRequest(headers: Headers, publicUrl: string): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const origin = headers.get("origin");
  if (origin === null) return true;
  return origin === new URL(publicUrl).origin;
}
