/** The closed list of audit event types. */
export const AUDIT_EVENT_TYPES = [
  "sign_in.succeeded",
  "sign_in.failed",
  "sign_out",
  "session.revoked",
  "session.rejected",
  /** A person or token was refused an action for lack of a permission (403). */
  "access.denied",
  /** A bearer token was refused (401): malformed, forged, expired, wrong audience, issuer or client. */
  "api.token_rejected",
  /** A person's roles changed (at sign-in, or because the rules changed), with what was gained and lost. */
  "roles.changed",
  /** Mapping rules, custom roles or the default role changed. */
  "rules.changed",
  "service.updated",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEvent {
  type: AuditEventType;
  organizationId?: string | null;
  connection?: string | null;
  /** Who did it: a user's email or sub, "system", or null when unknown (e.g. a forged callback). */
  actor?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The access.denied record every gate writes: who, which action, which permission was missing. */
export function accessDeniedEvent(
  principal: { organizationId: string; connection: string; actor: string; kind: "user" | "service" },
  action: string,
  missing: string,
  extra: { ip?: string | null; details?: Record<string, unknown> } = {},
): AuditEvent {
  return {
    type: "access.denied",
    organizationId: principal.organizationId,
    connection: principal.connection,
    actor: principal.actor,
    ip: extra.ip ?? null,
    details: { action, missing, via: principal.kind, ...extra.details },
  };
}
