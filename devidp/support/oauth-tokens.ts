import { createHash } from "node:crypto";
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from "jose";
import type Provider from "oidc-provider";

/**
 * Checks an org authorization server access token (and, when DPoP-bound, the request's DPoP proof):
 * returns its scopes, or why it is refused.
 */
export type OAuthTokens = (
  token: string,
  dpop: { proof: string | string[] | undefined; method: string; url: string } | null,
) => Promise<string[] | string>;

/**
 * The management API's check of OAuth access tokens, like Okta's for API Services apps: the token must be
 * a live client-credentials token of the org authorization server; a DPoP-bound one needs the `DPoP`
 * scheme and a fresh proof for this method and URL, signed by the bound key, carrying the token's hash.
 */
export function oauthTokens(orgProvider: Provider): OAuthTokens {
  const seen = new Map<string, number>();
  return async (value, dpop) => {
    const token = await orgProvider.ClientCredentials.find(value);
    if (!token || token.isExpired) return "unknown or expired access token";
    const jkt = (token as unknown as { jkt?: string }).jkt;
    if (jkt && !dpop) return "a DPoP-bound token needs the DPoP scheme";
    if (dpop) {
      if (!jkt) return "the token is not DPoP-bound";
      const proof = Array.isArray(dpop.proof) ? dpop.proof[0] : dpop.proof;
      if (!proof) return "no DPoP proof";
      try {
        const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
          typ: "dpop+jwt",
          algorithms: ["ES256", "RS256", "PS256", "EdDSA"],
        });
        if (payload.htm !== dpop.method || payload.htu !== dpop.url) return "DPoP proof htm/htu mismatch";
        if (typeof payload.iat !== "number" || Math.abs(Date.now() / 1000 - payload.iat) > 300)
          return "DPoP proof too old";
        if (payload.ath !== createHash("sha256").update(value).digest("base64url")) return "DPoP proof ath mismatch";
        if (!protectedHeader.jwk || (await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt)
          return "DPoP proof key is not the bound key";
        const jti = typeof payload.jti === "string" ? payload.jti : "";
        if (!jti || seen.has(jti)) return "DPoP proof replayed";
        seen.set(jti, Date.now());
        for (const [k, at] of seen) if (Date.now() - at > 600_000) seen.delete(k);
      } catch {
        return "invalid DPoP proof";
      }
    }
    return (token.scope ?? "").split(" ").filter(Boolean);
  };
}
