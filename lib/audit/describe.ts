import { SIGN_IN_FAILURES, isSignInErrorCode } from "../core/sign-in-failures";
import { parseAuditEvent, type RevocationCause, type RoleChangeCause, type SessionRejection } from "./events";

/** Every way a session ends or is refused, in words (the audit page's reason column and its chart). */
const SESSION_REASONS: Readonly<Record<RevocationCause | SessionRejection | "sign_out", string>> = {
  unknown: "unknown session",
  revoked: "session revoked",
  expired: "session expired",
  sign_out: "signed out",
  switch_account: "another person signed in",
  ended_by_admin: "ended by an admin",
  universal_logout: "Okta Universal Logout",
  okta_event: "an Okta event (deactivated, suspended, unassigned or sessions cleared)",
  shared_signal: "an Okta security event (Shared Signals)",
  scim_deprovisioned: "deprovisioned by Okta (SCIM)",
  groups_stale: "groups too old and not re-read from Okta (GROUPS_MAX_AGE)",
  okta_refused_refresh: "Okta refused the refresh token",
};

const ROLE_CHANGE_CAUSES: Readonly<Record<RoleChangeCause, string>> = {
  sign_in: "at sign-in",
  rules_changed: "rules changed",
  okta_event: "Okta changed their groups",
  groups_refreshed: "groups re-read from Okta",
  scim: "Okta pushed their groups (SCIM)",
};

const lookup = <K extends string>(table: Readonly<Record<K, string>>, key: string): string | null =>
  Object.hasOwn(table, key) ? table[key as K] : null;

/** A reason code in words, for the audit page and the chart. */
export function describeReason(type: string, reason: string | null): string | null {
  if (reason === null) return null;
  if (type === "sign_in.failed") return isSignInErrorCode(reason) ? SIGN_IN_FAILURES[reason].reason : reason;
  if (type.startsWith("session.") || type === "sign_out") return lookup(SESSION_REASONS, reason) ?? reason;
  if (type === "access.denied") return `missing ${reason}`;
  if (type === "roles.changed") return lookup(ROLE_CHANGE_CAUSES, reason) ?? reason;
  return reason;
}

const list = (values: readonly string[]) => values.join(", ");

/**
 * One line on what an event did, from its payload parsed through its type's schema. Every type has its
 * case (a new type without one does not compile); a row of an older shape returns null and the page
 * shows its raw details.
 */
export function describeEvent(type: string, details: unknown): string | null {
  const event = parseAuditEvent(type, details);
  if (!event) return null;
  switch (event.type) {
    case "sign_in.succeeded":
      return event.details.roles.length > 0 ? `roles ${list(event.details.roles)}` : "no role";
    case "sign_in.failed":
      return SIGN_IN_FAILURES[event.details.code].reason;
    case "sign_out":
      return "signed out";
    case "session.revoked": {
      const d = event.details;
      const ended = `${String(d.sessions)} session(s) ended`;
      const by = d.by ? ` by ${d.by}` : "";
      const signal = d.signal ? ` (${d.signal.type})` : "";
      return `${SESSION_REASONS[d.cause]}${signal}${by}: ${ended}${d.why ? `; ${d.why}` : ""}`;
    }
    case "session.rejected":
      return SESSION_REASONS[event.details.reason];
    case "access.denied":
      return event.details.action;
    case "api.token_rejected":
      return event.details.reason;
    case "roles.changed": {
      const d = event.details;
      const moved = [d.gained.length ? `gained ${list(d.gained)}` : "", d.lost.length ? `lost ${list(d.lost)}` : ""]
        .filter(Boolean)
        .join("; ");
      return d.why ? `${moved}: ${d.why}` : moved || null;
    }
    case "rules.changed":
      return event.details.change;
    case "rules.refused": {
      const kind = event.details.change.kind;
      return `${typeof kind === "string" ? kind : "change"}: ${event.details.reason}`;
    }
    case "service.updated":
      return event.details.service;
    case "okta_check.ran":
      return event.details.failed.length > 0 ? `failed: ${list(event.details.failed)}` : "all checks passed or warned";
    case "operator.access":
      return `${event.details.what} (from ${event.details.fromOrganization})`;
    case "audit.exported":
      return event.details.what ?? event.details.format;
    case "audit.verified":
      return event.details.ok ? `chain holds (${String(event.details.checked)} checked)` : "chain broken";
    case "okta.event":
      return event.details.change;
    case "okta.hook_rejected":
    case "okta.logout_rejected":
      return event.details.reason;
    case "rate_limit.exceeded": {
      const d = event.details;
      return `${d.limit} per ${d.scope}: over ${String(d.perMinute)}/min at ${d.path}`;
    }
    case "scim.user_provisioned":
      return `${event.details.userName} ${event.details.how === "created" ? "provisioned" : event.details.how === "linked" ? "provisioned (linked to their earlier sign-ins)" : "provisioned again"} by Okta`;
    case "scim.user_updated":
      return `${event.details.userName}: ${list(event.details.changed)} changed by Okta`;
    case "scim.user_deactivated":
      return `${event.details.userName} deactivated by Okta: sessions ended, roles out of effect`;
    case "scim.user_reactivated":
      return `${event.details.userName} reactivated by Okta`;
    case "scim.group_pushed":
      return `Okta pushed the group ${event.details.displayName} (${String(event.details.members)} members)`;
    case "scim.group_changed": {
      const d = event.details;
      const parts = [
        d.renamedFrom ? `renamed from ${d.renamedFrom}` : null,
        d.added ? `${String(d.added)} added` : null,
        d.removed ? `${String(d.removed)} removed` : null,
        d.orphanedRules.length ? `rules now matching no group: ${list(d.orphanedRules)}` : null,
      ].filter(Boolean);
      return `${d.displayName}: ${parts.join("; ") || "no change"}`;
    }
    case "scim.group_deleted":
      return `Okta deleted the pushed group ${event.details.displayName} (${String(event.details.members)} members)`;
    case "scim.request_refused":
      return `${event.details.method} ${event.details.path}: ${String(event.details.status)} ${event.details.detail}`;
    case "signals.received": {
      const d = event.details;
      const what = d.eventType.split("/").pop() ?? d.eventType;
      const effect = {
        ended_access: "sessions ended",
        recorded: "recorded",
        unknown_person: "nobody here has this Okta user id",
        verified: "stream verified",
        stream_updated: "stream status changed",
      }[d.effect];
      return `Okta ${what}: ${effect}${d.why ? ` (${d.why})` : ""}`;
    }
    case "signals.refused":
      return event.details.reason;
    case "signals.stream":
      return `stream ${event.details.action}: ${event.details.detail}`;
    case "scim.token_created":
      return `SCIM token "${event.details.name}" created`;
    case "scim.token_revoked":
      return `SCIM token "${event.details.name}" revoked`;
    case "audit.undeliverable":
      return `a ${event.details.eventType} event could not be stored after ${String(event.details.attempts)} attempts (${event.details.error}); kept in ${event.details.deadLetterFile ?? "the log only"}`;
    default:
      return unreachable(event);
  }
}

function unreachable(event: never): never {
  throw new Error(`audit event type without a description: ${JSON.stringify(event)}`);
}
