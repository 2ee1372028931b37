/**
 * Turns an untrusted redirect target (`callbackUrl`, `target_link_uri`, `redirectTo`) into a same-origin
 * path, or "/" when it is anything else. Refuses backslashes and control characters outright: browsers
 * read `/\evil.example` as `//evil.example`.
 */
export function toSafeRedirectPath(input: unknown, origin: string): string {
  if (typeof input !== "string" || input.length === 0 || input.length > 2048) return "/";
  if (/[\\\u0000-\u001f\u007f]/.test(input)) return "/";
  let url: URL;
  try {
    url = new URL(input, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  const path = url.pathname.replace(/^\/{2,}/, "/");
  return `${path}${url.search}${url.hash}`;
}
