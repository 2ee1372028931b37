/**
 * Rate limits shared by every app node (lib/http/rate-limit.ts counts them in the database): which limits
 * there are, their defaults, and RATE_LIMITS, which overrides some of them.
 */
export const LIMIT_NAMES = ["sign_in", "okta", "api", "scim"] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
export const LIMIT_SCOPES = ["address", "organization", "token"] as const;
export type LimitScope = (typeof LIMIT_SCOPES)[number];
/** Requests per minute, per limit and scope; a scope a limit does not have is not counted. */
export type RateLimits = Readonly<Record<LimitName, Readonly<Partial<Record<LimitScope, number>>>>>;

/**
 * - sign_in: /login/*, the initiate login URI and the callback. Per address generous (an office behind
 *   one NAT address signs in at 9:00); per organization kept under Okta's own /authorize and /token
 *   limits for one org (Admin Console > Reports > Rate Limits shows yours; lower it to match).
 * - okta: the Event Hook and Universal Logout endpoints (Okta's deliveries, and anyone hammering them).
 * - api: the bearer API /api/v1/*.
 * - scim: the SCIM service provider /scim/v2/<organization>: per bearer token (Okta honours Retry-After),
 *   and per address for the calls whose token was refused.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  sign_in: { address: 600, organization: 6000 },
  okta: { address: 1200, organization: 1200 },
  api: { address: 1200, organization: 6000 },
  scim: { address: 1200, token: 6000 },
};

/** RATE_LIMITS: "sign_in.address=600,api.organization=3000" overrides some of the defaults (requests per minute). */
export function parseRateLimits(value: string | undefined): RateLimits | string {
  const limits: Record<LimitName, Partial<Record<LimitScope, number>>> = {
    sign_in: { ...DEFAULT_RATE_LIMITS.sign_in },
    okta: { ...DEFAULT_RATE_LIMITS.okta },
    api: { ...DEFAULT_RATE_LIMITS.api },
    scim: { ...DEFAULT_RATE_LIMITS.scim },
  };
  for (const entry of (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\w+)\.(\w+)=(\d{1,7})$/.exec(entry);
    const name = m?.[1] as LimitName | undefined;
    const scope = m?.[2] as LimitScope | undefined;
    if (
      !m ||
      !name ||
      !scope ||
      !LIMIT_NAMES.includes(name) ||
      !(scope in DEFAULT_RATE_LIMITS[name]) ||
      Number(m[3]) < 1
    ) {
      const pairs = LIMIT_NAMES.flatMap((n) => Object.keys(DEFAULT_RATE_LIMITS[n]).map((sc) => `${n}.${sc}`));
      return `RATE_LIMITS: "${entry}" is not <limit>.<scope>=<requests per minute> with one of ${pairs.join(", ")} (e.g. sign_in.address=600)`;
    }
    limits[name][scope] = Number(m[3]);
  }
  return limits;
}
