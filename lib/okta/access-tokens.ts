import { createPublicKey, hash as digest, type KeyObject } from "node:crypto";
import OktaJwtVerifier from "@okta/jwt-verifier";
import { isLoopbackHost } from "../config/url-rules";
import { BearerError } from "./errors";

export { BearerError, type BearerErrorCode } from "./errors";

export interface VerifiedAccessToken {
  readonly claims: Readonly<Record<string, unknown>>;
  /** The Okta app the token was minted for. */
  readonly cid: string;
  readonly sub: string;
  readonly scopes: readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
  /** The signing key's id: a cached token goes when its key leaves the issuer's key set. */
  readonly kid: string;
}

export interface AccessTokenVerifierOptions {
  issuer: string;
  audience: string;
  clientIds: readonly string[];
  /** How long a key stays trusted before the JWKS is read again (Okta rotates keys about every 90 days). */
  keyMaxAgeMs?: number;
  /** After a JWKS read, how long an unknown `kid` is refused without reading it again. */
  unknownKidCooldownMs?: number;
  /** Upper bound of the verified-token cache. */
  cacheEntries?: number;
  now?: () => number;
}

/** The parts of @okta/jwt-verifier's instance we reach into (present in 4.x, see lib.js). */
interface VerifierInternals {
  verifier: {
    setKeyResolver(resolve: (kid: string | undefined, cb: (err: unknown, key?: KeyObject) => void) => void): void;
  };
  jwksClient: { getSigningKeys(): Promise<{ kid?: string; getPublicKey(): string }[]> };
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 16_384;

/** Cheap shape check before any parsing: three base64url parts, bounded length. */
export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && JWT_SHAPE.test(token);
}

/**
 * Verifies Okta access tokens with @okta/jwt-verifier (RS256 signature, iss, aud, exp, nbf) and adds the
 * checks it leaves out: `exp` must be present, `cid` must be one of the connection's apps, scopes are
 * checked per route. Keys are parsed once per `kid` (the library would re-parse the PEM on every call),
 * and verified tokens are cached by their SHA-256 until they expire.
 *
 * Unknown `kid`s: the JWKS is re-read at most once per cooldown (single flight); during the cooldown an
 * unknown `kid` is refused at once. A flood of made-up `kid`s therefore costs one JWKS read per cooldown
 * and never delays tokens signed with a known key. A real new key is picked up by the next read.
 */
export class AccessTokenVerifier {
  private readonly library: OktaJwtVerifier & VerifierInternals;
  private readonly keys = new Map<string, KeyObject>();
  /** Until when the keys from the last successful read are trusted without reading again. */
  private keysFreshUntil = 0;
  /** The earliest time of the next read (the unknown-kid cooldown, or the back-off after a failed read). */
  private nextReadAt = 0;
  private failedReads = 0;
  private reading: Promise<void> | null = null;
  private readonly cache = new Map<string, VerifiedAccessToken>();
  private readonly opts: Required<Omit<AccessTokenVerifierOptions, "clientIds">> & { clientIds: ReadonlySet<string> };
  /** Counters for health and benchmarks. */
  readonly stats = { jwksReads: 0, cacheHits: 0, verifications: 0 };

  constructor(options: AccessTokenVerifierOptions) {
    this.opts = {
      keyMaxAgeMs: 60 * 60 * 1000,
      unknownKidCooldownMs: 10_000,
      cacheEntries: 10_000,
      now: Date.now,
      ...options,
      clientIds: new Set(options.clientIds),
    };
    const url = new URL(options.issuer);
    this.library = new OktaJwtVerifier({
      issuer: options.issuer,
      // The config refuses http issuers unless on loopback (devidp, tests); only those skip the https check.
      ...(url.protocol === "http:" && isLoopbackHost(url.hostname) ? { testing: { disableHttpsCheck: true } } : {}),
    }) as OktaJwtVerifier & VerifierInternals;
    this.library.verifier.setKeyResolver((kid, cb) => {
      // A known, fresh key is handed over at once, without a promise hop.
      const known = kid ? this.keys.get(kid) : undefined;
      if (known && this.opts.now() < this.keysFreshUntil) {
        cb(null, known);
        return;
      }
      this.keyFor(kid).then(
        (key) => {
          cb(null, key);
        },
        (err: unknown) => {
          cb(err);
        },
      );
    });
  }

  /**
   * Verifies a token and checks it carries every scope in `requiredScopes`; rejects with BearerError.
   * A token seen before is answered from the cache (see verifyCached for the synchronous path).
   */
  async verify(token: string, requiredScopes: readonly string[] = []): Promise<VerifiedAccessToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw new BearerError("invalid_token", "The access token is not a JWT.");
    const hash = digest("sha256", token, "base64url");
    const cached = this.fromCache(hash, requiredScopes);
    if (cached) return cached;
    const verified = await this.verifyFresh(token, hash);
    const missing = missingScopes(verified, requiredScopes);
    if (missing) throw missing;
    return verified;
  }

  /**
   * The synchronous fast path: the token if it was verified before and has not expired, else null.
   * Throws BearerError when it lacks a required scope. Request handlers call this before `verify`.
   */
  verifyCached(token: string, requiredScopes: readonly string[] = []): VerifiedAccessToken | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    return this.fromCache(digest("sha256", token, "base64url"), requiredScopes);
  }

  private fromCache(hash: string, requiredScopes: readonly string[]): VerifiedAccessToken | null {
    const cached = this.cache.get(hash);
    if (!cached) return null;
    const now = this.opts.now();
    if (cached.exp * 1000 <= now) {
      this.cache.delete(hash);
      return null;
    }
    // Keys are due for a re-read: read them in the background; a rotated-out key's tokens go when it ends.
    if (now >= this.keysFreshUntil && now >= this.nextReadAt && !this.reading) this.startRead().catch(() => undefined);
    this.stats.cacheHits++;
    const missing = missingScopes(cached, requiredScopes);
    if (missing) throw missing;
    return cached;
  }

  private async verifyFresh(token: string, hash: string): Promise<VerifiedAccessToken> {
    // The shape check costs more than a cache hit (a regex over the whole token): only on a miss.
    if (!looksLikeJwt(token)) throw new BearerError("invalid_token", "The access token is not a JWT.");
    let claims: Record<string, unknown>;
    try {
      this.stats.verifications++;
      claims = { ...(await this.library.verifyAccessToken(token, this.opts.audience)).claims };
    } catch (err) {
      throw new BearerError("invalid_token", describeLibraryError(err));
    }
    const verified = this.checkClaims(claims, this.opts.now(), headerKid(token));
    if (this.cache.size >= this.opts.cacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, verified);
    return verified;
  }

  private checkClaims(claims: Record<string, unknown>, now: number, kid: string): VerifiedAccessToken {
    const { exp, cid, sub } = claims;
    if (typeof exp !== "number")
      throw new BearerError(
        "invalid_token",
        "The access token has no expiry (exp); porter refuses tokens that never expire.",
      );
    if (exp * 1000 <= now) throw new BearerError("invalid_token", "The access token has expired.");
    if (typeof cid !== "string")
      throw new BearerError("invalid_token", "The access token does not say which app it was minted for (cid).");
    if (!this.opts.clientIds.has(cid)) {
      // Echo the claim only when it looks like an Okta client ID: a verified token's claims are still outside input.
      const shown = /^[A-Za-z0-9._~-]{1,100}$/.test(cid)
        ? `the app ${cid}`
        : "an app (its cid is not a valid client ID)";
      throw new BearerError(
        "invalid_token",
        `The access token was minted for ${shown}, which this organization does not accept.`,
      );
    }
    if (typeof sub !== "string" || sub.length === 0)
      throw new BearerError("invalid_token", "The access token has no subject (sub).");
    const scp = claims.scp;
    const scopes = Array.isArray(scp)
      ? scp.filter((s): s is string => typeof s === "string")
      : typeof claims.scope === "string"
        ? claims.scope.split(" ")
        : [];
    return Object.freeze({ claims: Object.freeze(claims), cid, sub, scopes: Object.freeze(scopes), exp, kid });
  }

  private async keyFor(kid: string | undefined): Promise<KeyObject> {
    if (!kid) throw new Error("the token header has no kid");
    const now = this.opts.now();
    const known = this.keys.get(kid);
    if (known && now < this.keysFreshUntil) return known;
    if (!this.reading) {
      if (now >= this.nextReadAt) this.startRead().catch(() => undefined);
      else if (!known) throw new Error(`signing key ${kid} is not in the issuer's key set`);
    }
    try {
      await this.reading;
    } catch (err) {
      // Okta unreachable: keep using a known key rather than refusing every request.
      if (known) return known;
      throw err;
    }
    const key = this.keys.get(kid);
    if (!key) throw new Error(`signing key ${kid} is not in the issuer's key set`);
    return key;
  }

  /**
   * One JWKS read at a time. Success: the keys are trusted for keyMaxAgeMs, and every cached token whose
   * key left the set is dropped (key rotation ends them at once). Failure: the known keys stay in use and
   * the read is retried with back-off (1 s, 2 s, 4 s … up to a minute), never trusted as fresh.
   */
  private startRead(): Promise<void> {
    this.stats.jwksReads++;
    const started = this.opts.now();
    this.nextReadAt = started + this.opts.unknownKidCooldownMs;
    this.reading = this.library.jwksClient
      .getSigningKeys()
      .then(
        (keys) => {
          this.keys.clear();
          for (const k of keys) if (k.kid) this.keys.set(k.kid, createPublicKey(k.getPublicKey()));
          for (const [hash, token] of this.cache) if (!this.keys.has(token.kid)) this.cache.delete(hash);
          this.keysFreshUntil = started + this.opts.keyMaxAgeMs;
          this.failedReads = 0;
        },
        (err: unknown) => {
          this.failedReads++;
          this.nextReadAt = this.opts.now() + Math.min(1_000 * 2 ** (this.failedReads - 1), 60_000);
          throw err;
        },
      )
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}

/** The `kid` of a JWT's header ("" when absent or unreadable): only to file the cached token under its key. */
function headerKid(token: string): string {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
    return header && typeof header === "object" && typeof (header as { kid?: unknown }).kid === "string"
      ? (header as { kid: string }).kid
      : "";
  } catch {
    return "";
  }
}

function missingScopes(token: VerifiedAccessToken, required: readonly string[]): BearerError | null {
  for (const scope of required) {
    if (!token.scopes.includes(scope)) {
      const missing = required.filter((s) => !token.scopes.includes(s));
      return new BearerError(
        "insufficient_scope",
        `The access token lacks the scope ${missing.join(" ")}.`,
        required.join(" "),
      );
    }
  }
  return null;
}

/**
 * Peeks at a JWT's `iss` and `cid` without trusting them, to pick the connection whose verifier must
 * check the token (which then checks both for real).
 */
export function peekIssuerAndClient(token: string): { iss: string | null; cid: string | null } {
  const payload = token.split(".")[1];
  if (!payload || payload.length > MAX_TOKEN_LENGTH) return { iss: null, cid: null };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (!parsed || typeof parsed !== "object") return { iss: null, cid: null };
    const claims = parsed as Record<string, unknown>;
    return {
      iss: typeof claims.iss === "string" ? claims.iss : null,
      cid: typeof claims.cid === "string" ? claims.cid : null,
    };
  } catch {
    return { iss: null, cid: null };
  }
}

function describeLibraryError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/cannot be parsed/i.test(message)) return "The access token is not a well-formed JWT.";
  if (/expired/i.test(message)) return "The access token has expired.";
  if (/not active/i.test(message)) return "The access token is not valid yet (nbf).";
  if (/algorithm/i.test(message))
    return "The access token is not signed with RS256, the only algorithm porter accepts from Okta.";
  if (/signature/i.test(message)) return "The access token's signature does not verify against the issuer's keys.";
  if (/signing key|kid|Error while resolving/i.test(message))
    return "The access token is signed with a key the issuer does not publish.";
  if (/audience/i.test(message)) return "The access token is for another audience (aud).";
  if (/issuer/i.test(message)) return "The access token comes from another issuer (iss).";
  return "The access token could not be verified.";
}
