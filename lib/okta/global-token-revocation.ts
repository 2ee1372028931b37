import { errors as joseErrors, jwtVerify, type JWTHeaderParameters, type FlattenedJWSInput } from "jose";
import { z } from "zod";
import type { Connection } from "../config";
import { LogoutError } from "./errors";

export { LogoutError, type LogoutErrorCode } from "./errors";
import { getOidcMetadata } from "./discovery";
import { remoteJwks } from "./verify-id-token";

/** The JWT type Okta puts in a Universal Logout request's header. */
export const LOGOUT_TOKEN_TYPE = "global-token-revocation+jwt";
/** Okta's tokens live 5 minutes (exp = iat + 5 min); porter accepts no token meant to live longer than this. */
const MAX_LIFETIME_SECONDS = 15 * 60;
export const MAX_LOGOUT_BODY = 8 * 1024;

/** What a verified Universal Logout token says: who sent it (iss), for which app (sub), once (jti). */
export interface LogoutToken {
  iss: string;
  jti: string;
  exp: number;
}

/**
 * The issuers a connection's Universal Logout token may carry: Okta signs it as the org (its base URL);
 * for an app on a custom authorization server the docs are not explicit (OKTA-FACTS: UNCONFIRMED), so the
 * connection's own issuer is accepted too. Both belong to this one Okta org; no other org's issuer does.
 */
export function logoutIssuers(connection: Pick<Connection, "issuer">): string[] {
  const org = new URL(connection.issuer).origin;
  return connection.issuer === org ? [org] : [org, connection.issuer];
}

/**
 * The keys: Okta signs with "the same key used for signing ID tokens", which for the org is its org
 * authorization server's JWKS (/oauth2/v1/keys) and for a custom authorization server that server's own.
 * Both are tried by `kid` (refetched on a miss, at most every 30 s); a key from anywhere else never is.
 */
async function keyFor(connection: Pick<Connection, "issuer">, header: JWTHeaderParameters, token: FlattenedJWSInput) {
  const org = new URL(connection.issuer).origin;
  const uris = [`${org}/oauth2/v1/keys`];
  if (connection.issuer !== org) {
    const metadata = await getOidcMetadata(connection.issuer).catch((err: unknown) => {
      throw new LogoutError({
        code: "logout_unavailable",
        message: `universal logout: discovery failed: ${err instanceof Error ? err.message : String(err)}`,
        userMessage:
          "porter could not read this Okta org's discovery document to check the token, so nobody was logged out. Okta may retry.",
        cause: err,
      });
    });
    uris.unshift(metadata.jwks_uri);
  }
  let last: unknown;
  for (const uri of [...new Set(uris)]) {
    try {
      return await remoteJwks(uri)(header, token);
    } catch (err) {
      last = err;
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) continue;
      // Okta's keys could not be read: not the caller's fault, and nobody is logged out (the profile's 422).
      throw new LogoutError({
        code: "logout_unavailable",
        message: `universal logout keys unavailable at ${uri}: ${err instanceof Error ? err.message : String(err)}`,
        userMessage:
          "porter could not read this Okta org's signing keys to check the token, so nobody was logged out. Okta may retry.",
        cause: err,
      });
    }
  }
  throw last;
}

const unauthenticated = (message: string, userMessage: string, cause?: unknown) =>
  new LogoutError({ code: "logout_unauthenticated", message, userMessage, cause });

/**
 * Verifies the `Authorization: Bearer <JWT>` of an Okta Universal Logout request (Global Token Revocation):
 * `typ` global-token-revocation+jwt, RS256 signed by this org's keys, `iss` this org, `aud` exactly this
 * endpoint's URL, `exp`/`nbf`/`iat` within bounds, a `jti`; then `sub` must be this connection's client ID
 * (403 otherwise: a valid token, for another app). Any other failure is 401.
 */
export async function verifyLogoutToken(
  authorization: string | null,
  connection: Pick<Connection, "issuer" | "clientId">,
  endpointUrl: string,
): Promise<LogoutToken> {
  const jwt = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? "")?.[1];
  if (!jwt)
    throw unauthenticated(
      "no bearer JWT",
      "Universal Logout requests carry Authorization: Bearer <JWT signed by Okta>; this one has none.",
    );
  let payload;
  try {
    ({ payload } = await jwtVerify(jwt, (header, token) => keyFor(connection, header, token), {
      typ: LOGOUT_TOKEN_TYPE,
      algorithms: ["RS256"],
      issuer: logoutIssuers(connection),
      audience: endpointUrl,
      requiredClaims: ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"],
      clockTolerance: 60,
      maxTokenAge: MAX_LIFETIME_SECONDS,
    }));
  } catch (cause) {
    if (cause instanceof LogoutError) throw cause;
    const why =
      cause instanceof joseErrors.JWTExpired
        ? "the token has expired"
        : cause instanceof joseErrors.JWKSNoMatchingKey || cause instanceof joseErrors.JWSSignatureVerificationFailed
          ? "it is not signed by this Okta org's keys"
          : cause instanceof joseErrors.JOSEAlgNotAllowed
            ? "it is not RS256-signed"
            : cause instanceof joseErrors.JWTClaimValidationFailed
              ? `its ${cause.claim} claim is wrong (${cause.reason === "check_failed" ? "expected " + (cause.claim === "aud" ? endpointUrl : cause.claim === "iss" ? logoutIssuers(connection).join(" or ") : "a valid value") : cause.reason})`
              : "it is not a valid signed JWT";
    throw unauthenticated(
      `universal logout token refused: ${cause instanceof Error ? cause.message : String(cause)}`,
      `The Universal Logout token was refused: ${why}.`,
      cause,
    );
  }
  if (typeof payload.jti !== "string" || payload.jti.length === 0 || payload.jti.length > 200)
    throw unauthenticated("jti is not a string", "The Universal Logout token has no usable jti.");
  const exp = payload.exp ?? 0;
  if (exp - (payload.iat ?? 0) > MAX_LIFETIME_SECONDS)
    throw unauthenticated(
      "token lifetime too long",
      "The Universal Logout token is meant to live longer than 15 minutes; Okta's live 5.",
    );
  if (payload.sub !== connection.clientId) {
    throw new LogoutError({
      code: "logout_forbidden",
      message: `universal logout token for client ${String(payload.sub)}`,
      userMessage: "The Universal Logout token was issued for another Okta app, not this organization's porter app.",
    });
  }
  return { iss: payload.iss ?? "", jti: payload.jti, exp };
}

const subjectId = z.object({
  sub_id: z.looseObject({ format: z.string().max(50) }),
});
const emailSubject = z.object({ format: z.literal("email"), email: z.string().min(3).max(320).includes("@") });
const issSubSubject = z.object({
  format: z.literal("iss_sub"),
  iss: z.string().min(1).max(2000),
  sub: z.string().min(1).max(255),
});

export type LogoutSubject = z.infer<typeof emailSubject> | z.infer<typeof issSubSubject>;

/** Reads the body's `sub_id` (RFC 9493): `email` or `iss_sub`; anything else is 400 with what was wrong. */
export function parseLogoutSubject(text: string): LogoutSubject {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LogoutError({
      code: "logout_malformed",
      message: "logout body is not JSON",
      userMessage: 'The body is not JSON; Okta sends {"sub_id": {"format": "email", "email": "..."}}.',
    });
  }
  const outer = subjectId.safeParse(json);
  if (!outer.success)
    throw new LogoutError({
      code: "logout_malformed",
      message: "logout body has no sub_id",
      userMessage: 'The body has no "sub_id" object with a "format".',
    });
  const { format } = outer.data.sub_id;
  const schema = format === "email" ? emailSubject : format === "iss_sub" ? issSubSubject : null;
  if (!schema) {
    throw new LogoutError({
      code: "logout_unknown_format",
      message: `unknown sub_id format ${format}`,
      userMessage: `The subject format "${format.slice(0, 50)}" is not supported: porter takes "email" or "iss_sub" (Okta: the app's Universal Logout "Subject format").`,
    });
  }
  const parsed = schema.safeParse(outer.data.sub_id);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") ?? "sub_id";
    throw new LogoutError({
      code: "logout_malformed",
      message: `sub_id invalid at ${field}`,
      userMessage: `The "sub_id" of format "${format}" has no valid "${field}".`,
    });
  }
  return parsed.data;
}
