import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditEvents } from "../db/schema";
import type { AuditEvent, AuditEventType } from "./events";

/** Appends one event. The audit table has no update or delete path anywhere in the code. */
export async function insertAuditEvent(db: Db, event: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values({
    type: event.type,
    organizationId: event.organizationId ?? null,
    connection: event.connection ?? null,
    actor: event.actor ?? null,
    ip: event.ip ?? null,
    details: event.details ?? {},
  });
}

export async function listAuditEvents(db: Db, filter: { type?: AuditEventType; limit?: number } = {}) {
  return db
    .select()
    .from(auditEvents)
    .where(filter.type ? and(eq(auditEvents.type, filter.type)) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit ?? 100);
}
