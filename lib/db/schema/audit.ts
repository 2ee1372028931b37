import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/**
 * Append-only: the code has no update or delete path for this table, and on every database a trigger
 * refuses UPDATE, DELETE and TRUNCATE (migration 0003). Each row is a link of its chain (one chain per
 * organization, "platform" for events of none): `hash` = SHA-256 of the previous link's hash and the
 * row's canonical content, so a rewritten or removed row breaks the chain (lib/audit/chain.ts).
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "no action" }),
    connection: text("connection"),
    type: text("type").notNull(),
    /** Who, as shown at the time: the email, "client <id>" for a service, "system", or null (a forged callback). */
    actor: text("actor"),
    /** Who, stably: the Okta `sub` (or a service's client ID). */
    actorSub: text("actor_sub"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** What the event is about, as "kind:id" (user:<uuid>, rule:<uuid>, service:<uuid>, session:<user uuid>). */
    target: text("target"),
    targetLabel: text("target_label"),
    outcome: text("outcome", { enum: ["success", "failure", "denied"] }),
    /** The reason code (sign-in error code, missing permission, rejection code). */
    reason: text("reason"),
    /** Reference ids shown to people (sign-in error pages): searchable on the audit page. */
    refs: text("refs")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** How many occurrences the row stands for (floods of the same refusal are aggregated). */
    count: integer("count").notNull().default(1),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    chain: text("chain"),
    seq: bigint("seq", { mode: "number" }),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_events_org_at_idx").on(t.organizationId, t.at),
    index("audit_events_org_id_idx").on(t.organizationId, t.id),
    index("audit_events_org_type_id_idx").on(t.organizationId, t.type, t.id),
    index("audit_events_org_actor_idx").on(t.organizationId, t.actorSub),
    // Events about one person, rule or service (their history; the search by id).
    index("audit_events_org_target_idx").on(t.organizationId, t.target, t.id),
    // The audit page's actor filter and search (email, target) by exact value or prefix, case-insensitive.
    index("audit_events_org_actor_prefix_idx").on(t.organizationId, sql`lower(${t.actor}) text_pattern_ops`),
    index("audit_events_org_target_prefix_idx").on(t.organizationId, sql`lower(${t.targetLabel}) text_pattern_ops`),
    uniqueIndex("audit_events_chain_seq_idx").on(t.chain, t.seq),
    index("audit_events_refs_idx").using("gin", t.refs),
  ],
);

/** The newest link of each chain: what `npm run audit -- verify` compares the table against (and what to anchor elsewhere). */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * One chain verification at a time per organization, across every node (a verification reads the whole
 * chain): the row is claimed when one starts and released when it ends; a node that died mid-way stops
 * blocking after 10 minutes.
 */
export const auditVerificationGuards = pgTable("audit_verification_guards", {
  chain: text("chain").primaryKey(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
});

/**
 * Keys of spooled audit events the database has taken (lib/audit/spool.ts): written in the event's own
 * transaction, so a spool replayed after a crash skips what was already written. Rows older than a day
 * are deleted when a spool has been replayed.
 */
export const auditSpoolReceipts = pgTable("audit_spool_receipts", {
  key: text("key").primaryKey(),
  writtenAt: timestamp("written_at", { withTimezone: true }).notNull().defaultNow(),
});
