import type { KeyObject } from "node:crypto";
import {
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWTHeaderParameters,
} from "jose";
import { isAppError } from "../core/app-error";
import { remoteJwks } from "../okta/verify-id-token";
import { refuseSet } from "./errors";

/** Clock skew allowed on `iat` (a SET dated later than this is refused). */
export const IAT_SKEW_SECONDS = 60;
/** The smallest RSA key a transmitter may sign with. */
export const MIN_RSA_BITS = 2048;

export interface VerifiedSet {
  jti: string;
  iat: number;
  /** The one event's type URI and its claims. */
  type: string;
  event: Record<string, unknown>;
  /** SSF's top-level subject (`sub_id`), for stream events (verification, stream-updated). */
  subId: unknown;
}

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function modulusBits(key: unknown): number {
  const crypto = key as {
    algorithm?: { modulusLength?: number };
    asymmetricKeyDetails?: KeyObject["asymmetricKeyDetails"];
  };
  return crypto.algorithm?.modulusLength ?? crypto.asymmetricKeyDetails?.modulusLength ?? 0;
}

/**
 * Checks a Security Event Token completely (RFC 8417, SSF 1.0, RFC 8935): compact JWS with `typ`
 * secevent+jwt, RS256 by a key of at least 2048 bits from the transmitter's `jwks_uri`, `iss` the
 * transmitter's issuer, `aud` the stream's, `iat` not in the future beyond a minute, a `jti`, no `exp`, no
 * top-level `sub`, exactly one event. Each failure is RFC 8935's code with a description.
 */
export async function verifySet(
  compact: string,
  expected: { issuer: string; audience: string; jwksUri: string },
  now = Date.now(),
): Promise<VerifiedSet> {
  if (!COMPACT_JWT.test(compact))
    throw refuseSet("invalid_request", "The body is not a Security Event Token (a JWT in compact serialization).");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(compact);
  } catch {
    throw refuseSet("invalid_request", "The SET's header cannot be read.");
  }
  if (header.typ !== "secevent+jwt")
    throw refuseSet(
      "invalid_request",
      `The SET's typ must be secevent+jwt (got ${JSON.stringify(header.typ ?? null)}).`,
    );
  if (header.alg !== "RS256")
    throw refuseSet("invalid_key", `SETs must be signed RS256 (got ${JSON.stringify(header.alg ?? null)}).`);
  const keys = remoteJwks(expected.jwksUri);
  const key = async (h: JWTHeaderParameters, token: FlattenedJWSInput) => {
    const k = await keys(h, token);
    const bits = modulusBits(k);
    if (bits < MIN_RSA_BITS)
      throw refuseSet(
        "invalid_key",
        `The SET's signing key is ${String(bits)} bits; at least ${String(MIN_RSA_BITS)} are required.`,
      );
    return k;
  };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(compact, key, {
      algorithms: ["RS256"],
      issuer: expected.issuer,
      audience: expected.audience,
      currentDate: new Date(now),
    }));
  } catch (err) {
    if (isAppError(err)) throw err; // the key resolver's own refusal (a key too small)
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === "iss") throw refuseSet("invalid_issuer", `The SET's iss is not ${expected.issuer}.`);
      if (err.claim === "aud")
        throw refuseSet("invalid_audience", `The SET's aud is not this stream's (${expected.audience}).`);
      throw refuseSet("invalid_request", `The SET's ${err.claim} is not acceptable: ${err.reason}.`);
    }
    if (err instanceof joseErrors.JWTExpired) throw refuseSet("invalid_request", "The SET carries an exp in the past.");
    if (
      err instanceof joseErrors.JWSSignatureVerificationFailed ||
      err instanceof joseErrors.JWKSNoMatchingKey ||
      err instanceof joseErrors.JWKSMultipleMatchingKeys ||
      err instanceof joseErrors.JOSEAlgNotAllowed
    )
      throw refuseSet("invalid_key", "The SET's signature does not verify with the transmitter's keys.");
    if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || err instanceof TypeError)
      throw refuseSet("signals_unavailable", "porter could not read the transmitter's keys; try again.", err);
    throw refuseSet(
      "invalid_request",
      `The SET cannot be verified: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (payload.exp !== undefined)
    throw refuseSet("invalid_request", "A SET carries no exp (RFC 8417 §2.2): this one does.");
  if (typeof payload.jti !== "string" || payload.jti.length === 0 || payload.jti.length > 256)
    throw refuseSet("invalid_request", "The SET has no jti.");
  if (typeof payload.iat !== "number") throw refuseSet("invalid_request", "The SET has no iat.");
  if (payload.iat * 1000 > now + IAT_SKEW_SECONDS * 1000)
    throw refuseSet("invalid_request", "The SET's iat is in the future.");
  if (payload.sub !== undefined)
    throw refuseSet("invalid_request", "The subject belongs inside the event (SSF 1.0), not in a top-level sub.");
  const events = payload.events;
  if (typeof events !== "object" || events === null || Array.isArray(events))
    throw refuseSet("invalid_request", "The SET has no events object.");
  const entries = Object.entries(events as Record<string, unknown>);
  if (entries.length !== 1)
    throw refuseSet("invalid_request", `A SET carries exactly one event (got ${String(entries.length)}).`);
  const [[type, event]] = entries as [[string, unknown]];
  if (typeof event !== "object" || event === null || Array.isArray(event))
    throw refuseSet("invalid_request", "The SET's event is not an object.");
  return { jti: payload.jti, iat: payload.iat, type, event: event as Record<string, unknown>, subId: payload.sub_id };
}
