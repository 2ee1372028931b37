import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/** Append-only: the code has no update or delete path for this table. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "set null" }),
    connection: text("connection"),
    type: text("type").notNull(),
    actor: text("actor"),
    ip: text("ip"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_events_org_at_idx").on(t.organizationId, t.at), index("audit_events_type_idx").on(t.type)],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
