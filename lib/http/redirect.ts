/** A redirect that no cache keeps (sign-in steps, region hops). 303 turns a POST into a GET. */
export function redirectNoStore(location: string, status: 302 | 303 = 303): Response {
  return new Response(null, { status, headers: { location, "cache-control": "no-store" } });
}
