/** The closed list of audit event types, each with what it records and its default outcome. */
export const AUDIT_EVENT_TYPES = [
  "sign_in.succeeded",
  "sign_in.failed",
  "sign_out",
  /** A session was ended by someone or something other than its holder's sign-out (switch of account, an admin). */
  "session.revoked",
  /** A request carried a session that is revoked, expired or unknown: it was refused. */
  "session.rejected",
  /** A person or token was refused an action for lack of a permission (403). */
  "access.denied",
  /** A bearer token was refused (401): malformed, forged, expired, wrong audience, issuer or client. */
  "api.token_rejected",
  /** A person's roles changed (at sign-in, or because the rules changed), with what was gained and lost. */
  "roles.changed",
  /** Mapping rules, custom roles or the default role changed. */
  "rules.changed",
  /** A change of the rules was refused (lockout guard, stale preview, invalid input, unconfirmed). */
  "rules.refused",
  "service.updated",
  /** The Okta configuration check ran (who, which connection, how many checks failed). */
  "okta_check.ran",
  /** A platform operator opened another organization's configuration check. */
  "operator.access",
  "audit.exported",
  "audit.verified",
  /** An Okta event (Event Hook) was applied: memberships, roles or sessions followed Okta. */
  "okta.event",
  /** An Event Hook delivery was refused: no or a wrong shared secret, a malformed body. */
  "okta.hook_rejected",
  /** A Universal Logout request was refused: no, a forged, expired or replayed token, a bad subject, an unknown person. */
  "okta.logout_rejected",
  /** A rate limit refused requests (once per limit, address or organization, and minute, however many were refused). */
  "rate_limit.exceeded",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

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
};

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === "string" && (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

export function defaultOutcome(type: AuditEventType): AuditOutcome {
  return DEFAULT_OUTCOME[type];
}

export interface AuditEvent {
  type: AuditEventType;
  organizationId?: string | null;
  connection?: string | null;
  /** Who did it, as shown at the time: an email, "client <id>", "system", or null when unknown (a forged callback). */
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
  /** The reason code: a sign-in error code, the missing permission, a rejection code. */
  reason?: string | null;
  /** Reference ids shown to people (a sign-in error page's): searchable on the audit page. */
  refs?: readonly string[];
  /** Occurrences this event stands for (aggregated floods); 1 by default. */
  count?: number;
  details?: Record<string, unknown>;
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
  return {
    type: "access.denied",
    organizationId: principal.organizationId,
    connection: principal.connection,
    actor: principal.actor,
    actorSub: principal.subject,
    ip: extra.ip ?? null,
    userAgent: extra.userAgent ?? null,
    target: extra.target ?? null,
    targetLabel: extra.targetLabel ?? null,
    reason: missing,
    details: { action, missing, via: principal.kind, ...extra.details },
  };
}

/** The acting fields of an event, from whoever acts. */
export function actedBy(
  principal: AuditActor,
): Pick<AuditEvent, "organizationId" | "connection" | "actor" | "actorSub"> {
  return {
    organizationId: principal.organizationId,
    connection: principal.connection,
    actor: principal.actor,
    actorSub: principal.subject,
  };
}
