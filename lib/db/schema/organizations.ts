import { integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** One customer of the portal. In this version an organization has exactly one Okta connection of the same name. */
export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Role for people no mapping rule matches; null means they get the no-access page. */
  defaultRole: text("default_role"),
  /** Bumped on every change to rules, custom roles or the default role: compiled rule sets are cached per version. */
  rulesVersion: integer("rules_version").notNull().default(1),
  rulesUpdatedAt: timestamp("rules_updated_at", { withTimezone: true }),
  rulesUpdatedBy: text("rules_updated_by"),
  /**
   * The app-side groups filter set in the console (RE2, whole-name), overriding the connection's
   * configured one (groupsAllow / groupsBlock); null means the configured one.
   */
  groupsAllow: text("groups_allow"),
  groupsBlock: text("groups_block"),
  /** When the seed file (rules as code) was applied; it is applied once, to a new organization. */
  seededAt: timestamp("seeded_at", { withTimezone: true }),
});

export type Organization = typeof organizations.$inferSelect;
