/** Sign-in failure codes in Okta's words (what happened, not only the code). */
const SIGN_IN_REASONS: Record<string, string> = {
  access_denied: "sign-in cancelled or denied at Okta",
  user_not_assigned: "user not assigned to the app in Okta",
  idp_error: "Okta returned an error",
  state_invalid: "bad state (expired, replayed or forged callback)",
  nonce_invalid: "ID token nonce mismatch",
  code_invalid: "authorization code used or expired (invalid_grant)",
  id_token_invalid: "ID token failed verification",
  issuer_mismatch: "issuer mismatch",
  too_many_groups: "too many groups for the groups claim",
  invalid_client: "wrong client ID or secret (invalid_client)",
  issuer_unreachable: "Okta unreachable",
  unknown_connection: "unknown organization",
  wrong_region_callback: "callback at the wrong region",
  initiate_iss_mismatch: "initiate login with a wrong iss",
  unsolicited_token: "token sent directly (unsolicited)",
  configuration: "server problem",
};

const SESSION_REASONS: Record<string, string> = {
  unknown: "unknown session",
  revoked: "session revoked",
  expired: "session expired",
  sign_out: "signed out",
  switch_account: "another person signed in",
  ended_by_admin: "ended by an admin",
  universal_logout: "Okta Universal Logout",
  groups_stale: "groups too old and not re-read from Okta (GROUPS_MAX_AGE)",
  okta_refused_refresh: "Okta refused the refresh token",
};

/** A reason code in words, for the audit page and the chart. */
export function describeReason(type: string, reason: string | null): string | null {
  if (reason === null) return null;
  if (type === "sign_in.failed") return SIGN_IN_REASONS[reason] ?? reason;
  if (type.startsWith("session.") || type === "sign_out") return SESSION_REASONS[reason] ?? reason;
  if (type === "access.denied") return `missing ${reason}`;
  if (type === "roles.changed")
    return reason === "sign_in" ? "at sign-in" : reason === "rules_changed" ? "rules changed" : reason;
  return reason;
}

const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").join(", ") : "");

/** One line on what an event did, from its details (what changed, what was refused). */
export function describeEvent(type: string, details: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  switch (type) {
    case "roles.changed": {
      // An Okta event's change already says what and why: "lost sre: Okta removed PAM Linux Sysadmins, event <uuid>".
      if (details.cause === "okta_event" && text(details.change)) return text(details.change);
      const parts = [
        names(details.gained) ? `gained ${names(details.gained)}` : "",
        names(details.lost) ? `lost ${names(details.lost)}` : "",
      ].filter(Boolean);
      return parts.join("; ") || null;
    }
    case "rules.changed":
    case "rules.refused":
      return (
        text(details.change) ??
        (details.change && typeof details.change === "object"
          ? text((details.change as Record<string, unknown>).kind)
          : null)
      );
    case "service.updated":
      return text(details.service);
    case "access.denied":
      return text(details.action);
    case "sign_in.succeeded":
      return names(details.roles) ? `roles ${names(details.roles)}` : "no role";
    case "okta_check.ran":
      return Array.isArray(details.failed) && details.failed.length > 0
        ? `failed: ${names(details.failed)}`
        : "all checks passed or warned";
    case "okta.event":
      return text(details.change);
    case "session.revoked": {
      const count = typeof details.sessions === "number" ? details.sessions : 0;
      if (details.cause === "universal_logout") return `Universal Logout from Okta: ${String(count)} session(s) ended`;
      return details.cause === "okta_event"
        ? `Okta ${text(details.eventType) ?? "event"}: ${String(count)} session(s) ended`
        : null;
    }
    case "okta.hook_rejected":
    case "okta.logout_rejected":
      return text(details.reason);
    case "rate_limit.exceeded":
      return `${text(details.limit) ?? "limit"} per ${text(details.scope) ?? "address"}: over ${String(details.perMinute)}/min at ${text(details.path) ?? "?"}`;
    case "audit.exported":
      return text(details.what) ?? text(details.format);
    default:
      return null;
  }
}
