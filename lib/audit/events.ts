/** The closed list of audit event types. */
export const AUDIT_EVENT_TYPES = [
  "sign_in.succeeded",
  "sign_in.failed",
  "sign_out",
  "session.revoked",
  "session.rejected",
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
