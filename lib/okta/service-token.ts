import { createHash, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";
import type { OktaServiceApp } from "../config/service-app";
import { FIXES, OKTA_SERVICE_SCOPES } from "./admin-console";
import { OktaApiError } from "./errors";

/** The Okta API scopes porter's service app asks for: read people and groups, and the System Log. */
const TIMEOUT_MS = 4000;

interface Held {
  accessToken: string;
  dpop: boolean;
  expiresAt: number;
}

const cacheKey = Symbol.for("porter.okta-service-tokens");
type Cache = Map<string, Held>;
const cache: Cache = ((globalThis as typeof globalThis & { [cacheKey]?: Cache })[cacheKey] ??= new Map<string, Held>());

/** One DPoP key pair per process: tokens Okta binds to it are useless to anyone who copies them. */
let dpopKey: Promise<{ privateKey: CryptoKey; jwk: JWK }> | null = null;
function dpopKeys() {
  dpopKey ??= generateKeyPair("ES256").then(async ({ privateKey, publicKey }) => ({
    privateKey,
    jwk: await exportJWK(publicKey),
  }));
  return dpopKey;
}

/** A DPoP proof (RFC 9449) for one request; `ath` binds it to the access token it goes with. */
export async function dpopProof(
  method: string,
  url: string,
  options: { nonce?: string | null; accessToken?: string } = {},
): Promise<string> {
  const { privateKey, jwk } = await dpopKeys();
  const u = new URL(url);
  return new SignJWT({
    htm: method,
    htu: `${u.origin}${u.pathname}`,
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(options.accessToken ? { ath: createHash("sha256").update(options.accessToken).digest("base64url") } : {}),
  })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk })
    .setJti(randomUUID())
    .setIssuedAt()
    .sign(privateKey);
}

const failed = (message: string, userMessage: string, fix?: string) =>
  new OktaApiError({ code: "okta_api_unauthorized", message, userMessage, ...(fix ? { fix } : {}) });

/**
 * An access token for Okta's management API from the org authorization server: client credentials,
 * authenticated by a client assertion signed with the service app's private key (private_key_jwt),
 * DPoP-bound, answering Okta's `use_dpop_nonce` challenge once. Cached until a minute before expiry.
 */
export async function serviceAccessToken(
  orgUrl: string,
  app: OktaServiceApp,
  fetchImpl: typeof fetch,
  options: { fresh?: boolean } = {},
): Promise<{ accessToken: string; dpop: boolean }> {
  const key = `${orgUrl}|${app.clientId}`;
  const held = cache.get(key);
  if (!options.fresh && held && held.expiresAt > Date.now() + 60_000) return held;
  const tokenUrl = `${new URL(orgUrl).origin}/oauth2/v1/token`;
  const signer = await importJWK(app.privateKey as JWK, app.privateKey.kty === "EC" ? "ES256" : "RS256");
  let nonce: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const assertion = await new SignJWT({})
      .setProtectedHeader({
        alg: app.privateKey.kty === "EC" ? "ES256" : "RS256",
        ...(app.privateKey.kid ? { kid: app.privateKey.kid } : {}),
      })
      .setIssuer(app.clientId)
      .setSubject(app.clientId)
      .setAudience(tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(signer);
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      scope: OKTA_SERVICE_SCOPES,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    });
    let res: Response;
    try {
      res = await fetchImpl(tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          dpop: await dpopProof("POST", tokenUrl, { nonce }),
        },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new OktaApiError({
        code: "okta_api_unavailable",
        message: `okta token request failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        userMessage: "Okta's token endpoint did not answer in time.",
        cause,
      });
    }
    const json = (await res.json().catch(() => ({}))) as {
      access_token?: unknown;
      token_type?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    };
    if (res.status === 400 && json.error === "use_dpop_nonce" && res.headers.get("dpop-nonce") && attempt === 0) {
      nonce = res.headers.get("dpop-nonce");
      continue;
    }
    if (!res.ok || typeof json.access_token !== "string") {
      const why =
        typeof json.error === "string"
          ? `${json.error}${typeof json.error_description === "string" ? `: ${json.error_description}` : ""}`
          : `HTTP ${String(res.status)}`;
      throw failed(
        `okta service token refused: ${why}`,
        `Okta refused porter's API Services app ${app.clientId} (${why}).`,
        FIXES.serviceApp(app.clientId),
      );
    }
    const got: Held = {
      accessToken: json.access_token,
      dpop: typeof json.token_type === "string" && json.token_type.toLowerCase() === "dpop",
      expiresAt: Date.now() + (typeof json.expires_in === "number" ? json.expires_in : 3600) * 1000,
    };
    cache.set(key, got);
    return got;
  }
  throw failed("okta kept asking for a DPoP nonce", "Okta kept refusing porter's DPoP proof.");
}
