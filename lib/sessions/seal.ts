import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** v1: no context (sessions sealed before v2); v2: the sealed value is bound to its context (AAD). */
const V1 = "v1.";
const V2 = "v2.";

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "porter", "id_token at rest v1", 32));
}

/** The context a session's token is bound to: that session, and which of its tokens it is. */
export function sessionTokenContext(sessionIdHash: string, field: "id_token" | "refresh_token"): string {
  return `session ${sessionIdHash} ${field}`;
}

/**
 * Encrypts a value kept at rest (a session's ID token for `id_token_hint`, its refresh token) with
 * AES-256-GCM under a key derived from AUTH_SECRET, bound to `context` as additional authenticated data:
 * a database dump alone does not hand out Okta tokens, and a sealed token copied into another session's
 * row (or into the other column) does not open there.
 */
export function seal(secret: string, value: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return `${V2}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** The sealed value, or null when it was not sealed with this secret and context, or was changed. */
export function unseal(secret: string, sealed: string, context: string): string | null {
  const version = sealed.startsWith(V2) ? V2 : sealed.startsWith(V1) ? V1 : null;
  if (!version) return null;
  const raw = Buffer.from(sealed.slice(version.length), "base64url");
  if (raw.length < 12 + 16) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), raw.subarray(0, 12));
    if (version === V2) decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
