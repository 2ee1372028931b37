import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "v1.";

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "porter", "id_token at rest v1", 32));
}

/**
 * Encrypts a value kept at rest (the ID token a session keeps for `id_token_hint`) with AES-256-GCM under
 * a key derived from AUTH_SECRET: a database dump alone does not hand out Okta ID tokens.
 */
export function seal(secret: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return `${PREFIX}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** The sealed value, or null when it was not sealed with this secret or was changed. */
export function unseal(secret: string, sealed: string): string | null {
  if (!sealed.startsWith(PREFIX)) return null;
  const raw = Buffer.from(sealed.slice(PREFIX.length), "base64url");
  if (raw.length < 12 + 16) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
