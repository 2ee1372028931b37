import "server-only";
import { getDb } from "../db";
import { logger } from "../log";
import type { AuditEvent } from "./events";
import { insertAuditEvent } from "./queries";

export { AUDIT_EVENT_TYPES, accessDeniedEvent, type AuditEvent, type AuditEventType } from "./events";
export { insertAuditEvent, listAuditEvents } from "./queries";

/** Records a security event. A failure to record is logged loudly but never turns a refusal into a 500. */
export async function audit(event: AuditEvent): Promise<void> {
  try {
    await insertAuditEvent(await getDb(), event);
  } catch (err) {
    logger.error({ err, event: event.type, connection: event.connection }, "audit write failed");
  }
}
