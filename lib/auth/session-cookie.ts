import { decode } from "next-auth/jwt";

/** At most this many decoded cookies are kept per node; the oldest go first. */
const MAX_ENTRIES = 10_000;
const key = Symbol.for("porter.auth.session-cookies");
type WithCookies = typeof globalThis & { [key]?: Map<string, { sid: string; exp: number }> };
const decoded = ((globalThis as WithCookies)[key] ??= new Map<string, { sid: string; exp: number }>());

/**
 * The server-side session id a session cookie carries (the only thing it carries), or null when the cookie
 * is not one porter sealed or has expired. The cookie is Auth.js's encrypted JWT; decrypting it costs a key
 * derivation and a decryption, so each cookie value is decrypted once per node and remembered (an exact
 * string already proven authentic maps to its id; a changed byte is a new string, decrypted and refused).
 * Its expiry is checked on every use.
 */
export async function sessionIdOf(raw: string, secret: string, cookieName: string): Promise<string | null> {
  const now = Date.now() / 1000;
  const known = decoded.get(raw);
  if (known) return known.exp > now ? known.sid : null;
  const payload = await decode({ token: raw, secret, salt: cookieName }).catch(() => null);
  if (!payload || typeof payload.sid !== "string" || typeof payload.exp !== "number") return null;
  if (decoded.size >= MAX_ENTRIES) {
    const oldest = decoded.keys().next().value;
    if (oldest !== undefined) decoded.delete(oldest);
  }
  decoded.set(raw, { sid: payload.sid, exp: payload.exp });
  return payload.exp > now ? payload.sid : null;
}
