import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/**
 * One Shared Signals stream per organization (lib/signals): what porter registered at Okta (the
 * transmitter) and what it has seen. The authorization header Okta sends with every push is stored as
 * SHA-256 only.
 */
export const ssfStreams = pgTable("ssf_streams", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  streamId: text("stream_id"),
  /** SHA-256 (hex) of the authorization header porter asked Okta to send. */
  authHash: text("auth_hash"),
  /** The transmitter's issuer and keys, and the audience Okta put on the stream (its SETs' `aud`). */
  transmitterIssuer: text("transmitter_issuer"),
  jwksUri: text("jwks_uri"),
  audience: text("audience"),
  /** enabled, paused or disabled (Okta's word), or "error" when porter could not register. */
  status: text("status").notNull().default("unregistered"),
  statusReason: text("status_reason"),
  verificationState: text("verification_state"),
  verificationRequestedAt: timestamp("verification_requested_at", { withTimezone: true }),
  verifiedAt: timestamp("verified_at", { withTimezone: true }),
  lastEventAt: timestamp("last_event_at", { withTimezone: true }),
  lastEventType: text("last_event_type"),
  lastRefusedAt: timestamp("last_refused_at", { withTimezone: true }),
  lastRefusedReason: text("last_refused_reason"),
  /** One node at a time registers or checks the stream: it holds this lease while it talks to Okta. */
  leaseUntil: timestamp("lease_until", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type SsfStream = typeof ssfStreams.$inferSelect;
