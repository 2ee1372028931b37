import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
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
  try {
    const { payload } = await jwtVerify(idToken, remoteJwks(metadata.jwks_uri), {
      issuer: expect.issuer,
      audience: expect.clientId,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat", "sub"],
      clockTolerance: expect.clockToleranceSeconds ?? 60,
    });
    return payload;
  } catch (cause) {
    const signature =
      cause instanceof joseErrors.JWSSignatureVerificationFailed ||
      cause instanceof joseErrors.JWKSNoMatchingKey ||
      cause instanceof joseErrors.JOSEAlgNotAllowed;
    throw new OktaError({
      code: signature ? "id_token_signature_invalid" : "id_token_invalid",
      status: 401,
      message: `ID token rejected: ${cause instanceof Error ? cause.message : String(cause)}`,
      userMessage: signature
        ? "The ID token was not signed by your Okta authorization server's keys, so porter refused it."
        : "The ID token failed porter's checks (issuer, audience or expiry), so porter refused it.",
      cause,
    });
  }
}
