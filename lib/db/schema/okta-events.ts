import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";
import { organizationId } from "./columns";

/**
 * Okta events (System Log LogEvents) as they arrive, through an Event Hook (or, later, System Log
 * polling): a durable queue. Written before the hook is answered, applied after; one row per Okta event
 * uuid and organization, so a delivery Okta repeats (at least once, retried once) is applied once.
 */
export const oktaEvents = pgTable(
  "okta_events",
  {
    organizationId: organizationId(),
    /** The LogEvent's uuid. */
    uuid: text("uuid").notNull(),
    connection: text("connection").notNull(),
    eventType: text("event_type").notNull(),
    /** When it happened at Okta: events are applied in this order, whatever order they arrive in. */
    published: timestamp("published", { withTimezone: true }).notNull(),
    /** The delivery's envelope eventId (Okta's batch), for tracing. */
    deliveryId: text("delivery_id"),
    source: text("source", { enum: ["event_hook", "system_log"] }).notNull(),
    event: jsonb("event").$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** Events applied before outcomes were typed: their outcome in words. Null for newer ones. */
    outcome: text("outcome"),
    /** What applying it did: applied.<effect>, ignored.<reason> or skipped.<reason> (lib/live-groups/okta-events/outcome.ts). */
    outcomeCode: text("outcome_code"),
    /** The typed outcome itself (its group, sessions ended, the reason in Okta's words). */
    outcomeDetail: jsonb("outcome_detail").$type<Record<string, unknown>>(),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.uuid] }),
    index("okta_events_pending_idx").on(t.organizationId, t.processedAt, t.published),
  ],
);

export type OktaEventRow = typeof oktaEvents.$inferSelect;

/**
 * JWT ids Okta has used on porter's Okta-facing endpoints (Universal Logout): each is accepted once, and
 * kept until the token it came in expires. A primary key, so two nodes cannot both accept one replay.
 */
export const usedTokenIds = pgTable(
  "used_token_ids",
  {
    organizationId: organizationId(),
    /** Where the token was presented (e.g. global-token-revocation). */
    purpose: text("purpose").notNull(),
    jti: text("jti").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.purpose, t.jti] }),
    index("used_token_ids_expiry_idx").on(t.expiresAt),
  ],
);

/**
 * System Log polling, one row per organization: Okta's `next` link is the durable checkpoint (polling
 * mode: follow it, never compute since/until), a lease so one node polls at a time, and the last outcome
 * for /admin/connection and /api/health.
 */
export const oktaLogCursors = pgTable("okta_log_cursors", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  connection: text("connection").notNull(),
  nextUrl: text("next_url"),
  leasedUntil: timestamp("leased_until", { withTimezone: true }),
  /** After a refusal (403, 429): no poll before this. */
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
  lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  lastError: text("last_error"),
  /** The last error's code (okta_api_forbidden: the credential may not read the System Log). */
  lastErrorCode: text("last_error_code"),
  eventsSeen: integer("events_seen").notNull().default(0),
});

export type OktaLogCursor = typeof oktaLogCursors.$inferSelect;

/**
 * The newest Okta membership event applied per person and group: Okta reorders deliveries, so an older
 * add or remove that arrives after a newer one is recorded but does not undo it.
 */
export const oktaMembershipMarks = pgTable(
  "okta_membership_marks",
  {
    organizationId: organizationId(),
    oktaUserId: text("okta_user_id").notNull(),
    groupName: text("group_name").notNull(),
    published: timestamp("published", { withTimezone: true }).notNull(),
    uuid: text("uuid").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.oktaUserId, t.groupName] })],
);
