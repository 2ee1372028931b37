import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { getOidcMetadata } from "./discovery";
import { OktaError } from "./errors";

type Jwks = ReturnType<typeof createRemoteJWKSet>;
const jwksKey = Symbol.for("porter.jwks-cache");
const jwksCache: Map<string, Jwks> = ((globalThis as typeof globalThis & { [jwksKey]?: Map<string, Jwks> })[jwksKey] ??=
  new Map<string, Jwks>());

export function remoteJwks(uri: string): Jwks {
  let jwks = jwksCache.get(uri);
  if (!jwks) {
    // Unknown `kid`: refetch, but at most every 30 s, so bogus kids cannot hammer Okta.
    jwks = createRemoteJWKSet(new URL(uri), { cooldownDuration: 30_000, timeoutDuration: 4000 });
    jwksCache.set(uri, jwks);
  }
  return jwks;
}

/** Kids already reloaded for (per JWKS URI), so each new kid costs at most one extra JWKS fetch. */
const reloadedKey = Symbol.for("porter.jwks-reloaded");
const reloaded: Map<string, number> = ((globalThis as typeof globalThis & { [reloadedKey]?: Map<string, number> })[
  reloadedKey
] ??= new Map<string, number>());
const reloads = new Map<string, Promise<void>>();
const RELOAD_MEMORY_MS = 60_000;

/**
 * After Okta rotates its signing key, the first ID token with the new `kid` must not fail because jose's
 * 30 s cooldown says the keys were fetched too recently. The token came straight from Okta's token endpoint,
 * so an unknown kid means "read the keys again": once per kid (bounded memory), one fetch at a time per URI.
 */
async function reloadForKid(uri: string, kid: string | undefined): Promise<boolean> {
  const key = `${uri} ${kid ?? ""}`;
  const t = Date.now();
  const seen = reloaded.get(key);
  let running = reloads.get(uri);
  if (seen !== undefined && t - seen < RELOAD_MEMORY_MS) {
    // Another sign-in with this kid started the reload a moment ago: wait for it rather than refuse (two
    // people signing in on one node just after Okta's rollover both succeed).
    if (!running) return false;
    await running;
    return true;
  }
  if (reloaded.size > 1000) reloaded.clear();
  reloaded.set(key, t);
  if (!running) {
    running = remoteJwks(uri)
      .reload()
      .finally(() => reloads.delete(uri));
    reloads.set(uri, running);
  }
  await running;
  return true;
}

function kidOf(jwt: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(jwt);
    return typeof kid === "string" ? kid.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** Seconds of clock skew tolerated on exp/iat/nbf. */
  clockToleranceSeconds?: number;
}

/**
 * Verifies an ID token's RS256 signature against the issuer's JWKS, and its iss, aud and exp, whatever
 * channel it came through. Auth.js skips the signature for tokens from the token endpoint; porter does not.
 */
export async function verifyIdToken(idToken: string, expect: IdTokenExpectations): Promise<JWTPayload> {
  const metadata = await getOidcMetadata(expect.issuer);
  const verify = () =>
    jwtVerify(idToken, remoteJwks(metadata.jwks_uri), {
      issuer: expect.issuer,
      audience: expect.clientId,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat", "sub"],
      clockTolerance: expect.clockToleranceSeconds ?? 60,
    });
  try {
    try {
      return (await verify()).payload;
    } catch (first) {
      if (!(first instanceof joseErrors.JWKSNoMatchingKey) || !(await reloadForKid(metadata.jwks_uri, kidOf(idToken))))
        throw first;
      return (await verify()).payload;
    }
  } catch (cause) {
    const signature =
      cause instanceof joseErrors.JWSSignatureVerificationFailed ||
      cause instanceof joseErrors.JWKSNoMatchingKey ||
      cause instanceof joseErrors.JOSEAlgNotAllowed;
    throw new OktaError({
      code: signature ? "id_token_signature_invalid" : "id_token_invalid",
      message: `ID token rejected: ${cause instanceof Error ? cause.message : String(cause)}`,
      userMessage: signature
        ? "The ID token was not signed by your Okta authorization server's keys, so porter refused it."
        : "The ID token failed porter's checks (issuer, audience or expiry), so porter refused it.",
      cause,
    });
  }
}
