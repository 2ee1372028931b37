/** The Auth.js cookies porter sets (the session and the sign-in checks). */
const NAMES = {
  sessionToken: "session-token",
  callbackUrl: "callback-url",
  pkceCodeVerifier: "pkce.code_verifier",
  state: "state",
  nonce: "nonce",
} as const;

/**
 * On https every cookie is `__Host-` (Secure, Path=/, no Domain), so a sibling subdomain cannot plant or
 * overwrite one (cookie tossing); on http (the local demo) plain names. Auth.js merges these names into
 * its default options (httpOnly, SameSite=Lax, Path=/, Secure on https).
 */
export function authCookies(publicUrl: string): Record<keyof typeof NAMES, { name: string }> {
  const prefix = publicUrl.startsWith("https:") ? "__Host-" : "";
  return Object.fromEntries(
    Object.entries(NAMES).map(([key, name]) => [key, { name: `${prefix}authjs.${name}` }]),
  ) as Record<keyof typeof NAMES, { name: string }>;
}
