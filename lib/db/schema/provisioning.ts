import { sql } from "drizzle-orm";
import { index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";
import { users } from "./users";

/**
 * Groups Okta pushes over SCIM (Push Groups). The SCIM `id` is `id`; the display name is unique per
 * organization case-insensitively (Okta's group names are).
 */
export const scimGroups = pgTable(
  "scim_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    externalId: text("external_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("scim_groups_org_name_idx").on(t.organizationId, sql`lower(${t.displayName})`),
    index("scim_groups_org_created_idx").on(t.organizationId, t.createdAt, t.id),
  ],
);

/** Who is in which pushed group. A person's groups (the source for the one identity pipeline) are derived from it. */
export const scimGroupMembers = pgTable(
  "scim_group_members",
  {
    groupId: uuid("group_id")
      .notNull()
      .references(() => scimGroups.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("scim_group_members_user_idx").on(t.userId)],
);

/**
 * SCIM bearer tokens: stored as SHA-256 (the token is shown once), named, revocable. `source` "console" for
 * a token an admin created, "configuration" for one the deployment's environment names (the demo's).
 */
export const scimTokens = pgTable(
  "scim_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    source: text("source", { enum: ["console", "configuration"] })
      .notNull()
      .default("console"),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("scim_tokens_hash_idx").on(t.tokenHash), index("scim_tokens_org_idx").on(t.organizationId)],
);

export type ScimGroup = typeof scimGroups.$inferSelect;
export type ScimToken = typeof scimTokens.$inferSelect;
