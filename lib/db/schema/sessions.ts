import { organizationId, userId } from "./columns";
import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Server-side sessions. The browser's cookie carries only an opaque session id (encrypted by Auth.js);
 * this table keeps its SHA-256, so a database leak does not leak usable session ids. Groups live here,
 * never in the cookie, so users in many groups keep a small cookie.
 */
/** Where a session's groups came from: the ID token's claim, Okta's Users API, or Okta's SCIM pushes. */
export const GROUPS_SOURCE_KINDS = ["id_token", "users_api", "scim"] as const;
export type GroupsSourceKind = (typeof GROUPS_SOURCE_KINDS)[number];

export const sessions = pgTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: userId(),
    organizationId: organizationId(),
    connection: text("connection").notNull(),
    /** How many groups the claim carried before filtering (100 means it may have been truncated). */
    rawGroupCount: integer("raw_group_count").notNull(),
    /** Where the groups came from at sign-in: the ID token's claim, or Okta's Users API (no 100-group cap). */
    groupsSource: text("groups_source", { enum: GROUPS_SOURCE_KINDS }).notNull().default("id_token"),
    /** When Okta last confirmed this person's groups (sign-in, or an Okta event applied since). */
    groupsConfirmedAt: timestamp("groups_confirmed_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Okta's refresh token (when the app has the Refresh Token grant and porter asks for offline_access),
     * sealed like the ID token: it re-reads the person's groups once they are older than GROUPS_MAX_AGE.
     */
    refreshToken: text("refresh_token"),
    /** A node re-reading this session's groups holds this lease, so two nodes never spend one refresh token. */
    groupsRefreshLease: timestamp("groups_refresh_lease", { withTimezone: true }),
    /** Kept server-side only, for RP-initiated logout (`id_token_hint`), sealed with AES-256-GCM under AUTH_SECRET (lib/auth/seal.ts). Never sent to the browser. */
    idToken: text("id_token"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export type SessionRow = typeof sessions.$inferSelect;
