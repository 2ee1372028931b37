import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Okta's `sub` (the user's ID in that org). Unique per organization, never across them. */
    sub: text("sub").notNull(),
    email: text("email"),
    name: text("name"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    /**
     * The well-formed group names the groups source last sent, before porter's filter: the filter
     * playground tries patterns on them, and a filter change is previewed and applied with them.
     * Null for people not seen since this was recorded (their teams stand in).
     */
    sourceGroups: text("source_groups").array(),
    /**
     * When porter last ended this person's access (an Okta deactivation, Universal Logout, a security event,
     * deprovisioning, an admin): Okta access tokens issued before it are refused on the bearer API.
     */
    accessEndedAt: timestamp("access_ended_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("users_org_sub_idx").on(t.organizationId, t.sub),
    index("users_org_idx").on(t.organizationId),
    // The users page pages by (email, id) within an organization, and searches email and name by prefix.
    index("users_org_sort_idx").on(t.organizationId, sql`coalesce(${t.email}, '')`, t.id),
    index("users_org_email_prefix_idx").on(t.organizationId, sql`lower(${t.email}) text_pattern_ops`),
    index("users_org_name_prefix_idx").on(t.organizationId, sql`lower(${t.name}) text_pattern_ops`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
