import { z } from "zod";
import { SIGN_IN_ERROR_CODES } from "../core/sign-in-failures";

/**
 * The closed list of audit event types, each with the schema of its payload (`details`). Writing an event
 * takes the payload of its type and no other (AuditEvent is a union discriminated by `type`); reading one
 * parses it back through the same schema (parseAuditEvent); the describer (describe.ts) must handle every
 * type or `npm run typecheck` fails. To add a type: its schema here, its default outcome below, its line
 * in describe.ts.
 */

const names = z.array(z.string());
const roleGrant = z.object({
  role: z.string(),
  via: z.array(z.object({ group: z.string().nullable(), rule: z.string() })),
});

/** Why a person's sessions were ended by something other than their own sign-out. One list for every signal. */
export const REVOCATION_CAUSES = [
  /** Someone else signed in on the same browser. */
  "switch_account",
  /** An admin's "End all sessions" (users.write). */
  "ended_by_admin",
  /** Okta's Universal Logout (Global Token Revocation). */
  "universal_logout",
  /** An Okta event: deactivation, suspension, deletion, app unassignment, cleared sessions (Event Hook or System Log). */
  "okta_event",
  /** Okta refused the session's refresh token when porter re-read stale groups. */
  "okta_refused_refresh",
  /** A Shared Signals (CAEP) security event from Okta. */
  "shared_signal",
  /** Okta deprovisioned the person over SCIM (active: false). */
  "scim_deprovisioned",
] as const;
export type RevocationCause = (typeof REVOCATION_CAUSES)[number];

/** Why a person's roles changed. */
export const ROLE_CHANGE_CAUSES = ["sign_in", "rules_changed", "okta_event", "groups_refreshed", "scim"] as const;
export type RoleChangeCause = (typeof ROLE_CHANGE_CAUSES)[number];

/** Why a presented session was refused. */
export const SESSION_REJECTIONS = ["unknown", "revoked", "expired", "groups_stale", "okta_refused_refresh"] as const;
export type SessionRejection = (typeof SESSION_REJECTIONS)[number];

export const AUDIT_PAYLOADS = {
  "sign_in.succeeded": z.object({
    rawGroupCount: z.number(),
    keptGroupCount: z.number(),
    possiblyTruncated: z.boolean(),
    claimProblems: z.array(z.unknown()).optional(),
    groupsSource: z.string(),
    usersApiProblem: z.string().optional(),
    roles: names,
    joinedTeams: names,
    leftTeams: names,
  }),
  "sign_in.failed": z.object({
    code: z.enum(SIGN_IN_ERROR_CODES),
    /** Where it failed: the start of sign-in, the callback, the initiate login URI. */
    where: z.string(),
    detail: z.string().optional(),
    idpError: z.string().optional(),
    /** Initiate login: the iss sent and the one expected; the token parameters sent directly. */
    iss: z.string().nullable().optional(),
    expected: z.string().optional(),
    received: names.optional(),
  }),
  sign_out: z.object({ reason: z.literal("sign_out") }),
  /** A person's sessions ended by something other than their own sign-out: one shape, whatever the signal. */
  "session.revoked": z.object({
    cause: z.enum(REVOCATION_CAUSES),
    /** How many live sessions ended. */
    sessions: z.number(),
    /** The admin who ended them (ended_by_admin). */
    by: z.string().optional(),
    /** The Okta event, SET or token that said so: its id and type. */
    signal: z.object({ id: z.string(), type: z.string() }).optional(),
    /** Okta's own words, when it gave some (reason_admin of a security event, a refused refresh). */
    why: z.string().optional(),
    /** When it happened at Okta, if different from when porter heard of it. */
    eventTime: z.string().optional(),
    subjectFormat: z.string().optional(),
  }),
  "session.rejected": z.object({
    reason: z.enum(SESSION_REJECTIONS),
    revokedReason: z.string().optional(),
    groupsConfirmedAt: z.string().optional(),
  }),
  "access.denied": z.object({ action: z.string(), missing: z.string(), via: z.string() }).loose(),
  "api.token_rejected": z.object({ code: z.string(), reason: z.string() }),
  /** A person's roles changed: one shape, whatever changed them. */
  "roles.changed": z.object({
    cause: z.enum(ROLE_CHANGE_CAUSES),
    gained: names,
    lost: names,
    /** Why, in the role history's words: "Okta removed PAM Linux Sysadmins, event <uuid>". */
    why: z.string().optional(),
    /** The rules version they were resolved with (rule changes). */
    version: z.number().optional(),
    /** All roles after the change, with provenance (at sign-in). */
    roles: z.array(roleGrant).optional(),
  }),
  "rules.changed": z.object({
    change: z.string(),
    version: z.number(),
    affectedUsers: z.number(),
    previewedAs: z.string().nullable(),
  }),
  "rules.refused": z.object({ change: z.record(z.string(), z.unknown()), reason: z.string() }),
  "service.updated": z.object({
    service: z.string(),
    serviceId: z.string(),
    via: z.string(),
    before: z.record(z.string(), z.unknown()),
    after: z.record(z.string(), z.unknown()),
  }),
  "okta_check.ran": z.object({
    byOrganization: z.string(),
    counts: z.record(z.string(), z.number()),
    failed: names,
  }),
  "operator.access": z.object({ what: z.string(), fromOrganization: z.string() }),
  "audit.exported": z.object({
    format: z.string(),
    what: z.string().optional(),
    filter: z.record(z.string(), z.unknown()).optional(),
  }),
  "audit.verified": z.object({
    ok: z.boolean(),
    checked: z.number(),
    broken: z.unknown(),
    head: z.unknown(),
  }),
  /** An Okta event (Event Hook or System Log) was applied: memberships, roles or sessions followed Okta. */
  "okta.event": z.object({
    event: z.string(),
    eventType: z.string(),
    group: z.string().nullable(),
    change: z.string(),
    joined: names,
    left: names,
  }),
  "okta.hook_rejected": z.object({ reason: z.string() }),
  "okta.logout_rejected": z.object({ reason: z.string() }),
  "rate_limit.exceeded": z.object({ limit: z.string(), scope: z.string(), perMinute: z.number(), path: z.string() }),
  /** Okta provisioned a person over SCIM: created, linked to a person who had signed in, or reprovisioned. */
  "scim.user_provisioned": z.object({
    userName: z.string(),
    externalId: z.string().nullable(),
    how: z.enum(["created", "linked", "reprovisioned"]),
  }),
  "scim.user_updated": z.object({ userName: z.string(), changed: names }),
  /** active: false (Okta suspended, deactivated or unassigned the person): sessions ended, roles out of effect. */
  "scim.user_deactivated": z.object({ userName: z.string() }),
  "scim.user_reactivated": z.object({ userName: z.string() }),
  "scim.group_pushed": z.object({ displayName: z.string(), members: z.number() }),
  /** A pushed group's membership or name changed. People named are a sample (at most 20 each way). */
  "scim.group_changed": z.object({
    displayName: z.string(),
    renamedFrom: z.string().nullable(),
    added: z.number(),
    removed: z.number(),
    addedPeople: names,
    removedPeople: names,
    /** Exact-name rules that matched the old name and now match no pushed group. */
    orphanedRules: names,
  }),
  "scim.group_deleted": z.object({ displayName: z.string(), members: z.number() }),
  /** A SCIM request porter refused (a bad token, filter, body or target), with the detail the client got. */
  "scim.request_refused": z.object({ method: z.string(), path: z.string(), status: z.number(), detail: z.string() }),
  /** A Security Event Token from Okta (Shared Signals) was accepted: what it was and what porter did. */
  "signals.received": z.object({
    eventType: z.string(),
    jti: z.string(),
    effect: z.enum(["ended_access", "recorded", "unknown_person", "verified", "stream_updated"]),
    why: z.string().optional(),
    eventTime: z.string().optional(),
    changeType: z.string().optional(),
    credentialType: z.string().optional(),
  }),
  /** A push porter refused: the description it answered (RFC 8935's error code is the event's reason). */
  "signals.refused": z.object({ reason: z.string() }),
  /** porter registered, updated or checked its stream at Okta, or could not. */
  "signals.stream": z.object({ action: z.string(), detail: z.string() }),
  "scim.token_created": z.object({ name: z.string() }),
  "scim.token_revoked": z.object({ name: z.string() }),
  /** An event the database refused again and again while reachable: set aside in the dead-letter file (lib/audit/writer.ts). */
  "audit.undeliverable": z.object({
    eventType: z.string(),
    attempts: z.number(),
    error: z.string(),
    deadLetterFile: z.string().nullable(),
  }),
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type AuditEventType = keyof typeof AUDIT_PAYLOADS;
export const AUDIT_EVENT_TYPES = Object.keys(AUDIT_PAYLOADS) as AuditEventType[];

/** Fields any event's details may carry besides its payload: the request id, and a flood's aggregation. */
interface CommonDetails {
  requestId?: string;
  aggregated?: boolean;
  windowStart?: string;
  windowSeconds?: number;
}

/** The payload of one event type, as it is written. */
export type AuditDetails<T extends AuditEventType> = z.input<(typeof AUDIT_PAYLOADS)[T]> & CommonDetails;

export type AuditOutcome = "success" | "failure" | "denied";

const DEFAULT_OUTCOME: Readonly<Record<AuditEventType, AuditOutcome>> = {
  "sign_in.succeeded": "success",
  "sign_in.failed": "failure",
  sign_out: "success",
  "session.revoked": "success",
  "session.rejected": "denied",
  "access.denied": "denied",
  "api.token_rejected": "denied",
  "roles.changed": "success",
  "rules.changed": "success",
  "rules.refused": "denied",
  "service.updated": "success",
  "okta_check.ran": "success",
  "operator.access": "success",
  "audit.exported": "success",
  "audit.verified": "success",
  "okta.event": "success",
  "okta.hook_rejected": "denied",
  "okta.logout_rejected": "denied",
  "rate_limit.exceeded": "denied",
  "audit.undeliverable": "failure",
  "scim.user_provisioned": "success",
  "scim.user_updated": "success",
  "scim.user_deactivated": "success",
  "scim.user_reactivated": "success",
  "scim.group_pushed": "success",
  "scim.group_changed": "success",
  "scim.group_deleted": "success",
  "scim.request_refused": "denied",
  "scim.token_created": "success",
  "signals.received": "success",
  "signals.refused": "denied",
  "signals.stream": "success",
  "scim.token_revoked": "success",
};

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === "string" && Object.hasOwn(AUDIT_PAYLOADS, value);
}

export function defaultOutcome(type: AuditEventType): AuditOutcome {
  return DEFAULT_OUTCOME[type];
}

/** What every event has besides its type and payload. */
export interface AuditEventBase {
  organizationId?: string | null;
  connection?: string | null;
  /** Who did it, as shown at the time: an email, "client <id>", "Okta", or null when unknown (a forged callback). */
  actor?: string | null;
  /** Who did it, stably: the Okta `sub`, or a service's client ID. */
  actorSub?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** What it is about, as "kind:id": user:<uuid>, rule:<uuid>, service:<uuid>. */
  target?: string | null;
  targetLabel?: string | null;
  /** Defaults to the type's outcome. */
  outcome?: AuditOutcome;
  /** The reason code: a sign-in error code, the missing permission, a rejection code, a cause. */
  reason?: string | null;
  /** Reference ids shown to people (a sign-in error page's): searchable on the audit page. */
  refs?: readonly string[];
  /** Occurrences this event stands for (aggregated floods); 1 by default. */
  count?: number;
}

/** An event to write: its type, and the payload of that type (the compiler refuses any other). */
export type AuditEvent = {
  [T in AuditEventType]: AuditEventBase & { type: T; details: AuditDetails<T> };
}[AuditEventType];

/** The builder: an event of type `type`, which accepts only that type's payload. */
export function auditEvent<T extends AuditEventType>(
  type: T,
  details: AuditDetails<T>,
  base: AuditEventBase = {},
): AuditEvent {
  return { ...base, type, details } as AuditEvent;
}

/** An event read back: its type and its payload parsed through the type's schema. */
export type ParsedAuditEvent = {
  [T in AuditEventType]: { type: T; details: z.output<(typeof AUDIT_PAYLOADS)[T]> };
}[AuditEventType];

/**
 * A stored row's type and details, parsed through the schema of its type; null for a type porter no longer
 * writes or a payload of an older shape (the console then shows the row's raw details).
 */
export function parseAuditEvent(type: string, details: unknown): ParsedAuditEvent | null {
  if (!isAuditEventType(type)) return null;
  const parsed = AUDIT_PAYLOADS[type].safeParse(details);
  return parsed.success ? ({ type, details: parsed.data } as ParsedAuditEvent) : null;
}

/** Who is acting, as far as the audit log goes. */
export interface AuditActor {
  organizationId: string;
  connection: string;
  /** Display name at the time (email, "client <id>"). */
  actor: string;
  /** Stable id (Okta sub or client ID). */
  subject: string;
  kind: "user" | "service";
}

/** The access.denied record every gate writes: who, which action, which permission was missing. */
export function accessDeniedEvent(
  principal: AuditActor,
  action: string,
  missing: string,
  extra: {
    ip?: string | null;
    userAgent?: string | null;
    target?: string | null;
    targetLabel?: string | null;
    details?: Record<string, unknown>;
  } = {},
): AuditEvent {
  return auditEvent(
    "access.denied",
    { action, missing, via: principal.kind, ...extra.details },
    {
      organizationId: principal.organizationId,
      connection: principal.connection,
      actor: principal.actor,
      actorSub: principal.subject,
      ip: extra.ip ?? null,
      userAgent: extra.userAgent ?? null,
      target: extra.target ?? null,
      targetLabel: extra.targetLabel ?? null,
      reason: missing,
    },
  );
}

/** The acting fields of an event, from whoever acts. */
export function actedBy(
  principal: AuditActor,
): Pick<AuditEventBase, "organizationId" | "connection" | "actor" | "actorSub"> {
  return {
    organizationId: principal.organizationId,
    connection: principal.connection,
    actor: principal.actor,
    actorSub: principal.subject,
  };
}
