import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    /**
     * SCIM provisioning (lib/provisioning): set when Okta provisioned the person; `deprovisionedAt` when it
     * sent `active: false` (suspended, deactivated or unassigned: Okta never deletes). The person's SCIM
     * `id` is `id`; `externalId` is the Okta user id (the ID token's `sub`); `userName` is Okta's username.
     */
    provisionedAt: timestamp("provisioned_at", { withTimezone: true }),
    deprovisionedAt: timestamp("deprovisioned_at", { withTimezone: true }),
    externalId: text("external_id"),
    userName: text("user_name"),
    givenName: text("given_name"),
    familyName: text("family_name"),
    locale: text("locale"),
    /** The SCIM `emails` as Okta sent them ({ value, type, primary }); `email` keeps the primary one. */
    scimEmails: jsonb("scim_emails").$type<{ value: string; type?: string; primary?: boolean }[]>(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_org_sub_idx").on(t.organizationId, t.sub),
    index("users_org_idx").on(t.organizationId),
    // The users page pages by (email, id) within an organization, and searches email and name by prefix.
    index("users_org_sort_idx").on(t.organizationId, sql`coalesce(${t.email}, '')`, t.id),
    index("users_org_email_prefix_idx").on(t.organizationId, sql`lower(${t.email}) text_pattern_ops`),
    index("users_org_name_prefix_idx").on(t.organizationId, sql`lower(${t.name}) text_pattern_ops`),
    // SCIM: userName is unique per organization case-insensitively (RFC 7643 caseExact false) among the provisioned.
    uniqueIndex("users_org_user_name_idx")
      .on(t.organizationId, sql`lower(${t.userName})`)
      .where(sql`${t.provisionedAt} is not null`),
    index("users_org_external_id_idx").on(t.organizationId, t.externalId),
    index("users_org_provisioned_idx").on(t.organizationId, t.provisionedAt, t.id),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
