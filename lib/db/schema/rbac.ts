import { organizationId, userId, userOrganizationId } from "./columns";
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Stored shape of a role's provenance (lib/rbac's RoleGrant). */
export interface StoredRoleGrant {
  role: string;
  via: { group: string | null; rule: string; ruleId: string }[];
}

/** group matcher -> role, per organization. Changes bump organizations.rules_version. */
export const mappingRules = pgTable(
  "mapping_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    match: text("match", { enum: ["exact", "regex"] }).notNull(),
    pattern: text("pattern").notNull(),
    role: text("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [index("mapping_rules_org_idx").on(t.organizationId)],
);

export const customRoles = pgTable(
  "custom_roles",
  {
    organizationId: organizationId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    permissions: text("permissions").array().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.name] })],
);

/** Each user's roles as last resolved (at sign-in, and again whenever the rules change), with provenance. */
export const userRoles = pgTable(
  "user_roles",
  {
    userId: userId(),
    organizationId: userOrganizationId(),
    role: text("role").notNull(),
    via: jsonb("via").$type<StoredRoleGrant["via"]>().notNull(),
    /** The rules version these roles were resolved with. */
    rulesVersion: integer("rules_version").notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.role] }),
    index("user_roles_org_idx").on(t.organizationId),
    index("user_roles_org_role_idx").on(t.organizationId, t.role),
  ],
);

/** One row per sign-in: what the claim said and what changed, so an admin can see when and why. */
export const signIns = pgTable(
  "sign_ins",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    userId: userId(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    rawGroupCount: integer("raw_group_count").notNull(),
    keptGroups: text("kept_groups").array().notNull(),
    roles: jsonb("roles").$type<StoredRoleGrant[]>().notNull(),
    gainedRoles: text("gained_roles").array().notNull(),
    lostRoles: text("lost_roles").array().notNull(),
    joinedTeams: text("joined_teams").array().notNull(),
    leftTeams: text("left_teams").array().notNull(),
  },
  (t) => [index("sign_ins_user_at_idx").on(t.userId, t.at), index("sign_ins_org_at_idx").on(t.organizationId, t.at)],
);

export type MappingRuleRow = typeof mappingRules.$inferSelect;
export type CustomRoleRow = typeof customRoles.$inferSelect;
export type SignInRow = typeof signIns.$inferSelect;
