import { uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";
import { users } from "./users";

/** The tenant column every organization-scoped table has: rows go when their organization goes. */
export const organizationId = () =>
  uuid("organization_id")
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });

/**
 * The tenant column of a row that belongs to one user (and goes with them): no foreign key of its own, as
 * the user's row already ties it to the organization and goes when it goes. A key here costs a lookup of
 * the organization for every row written (measured on PGlite: about 65 ms in a 10,000-member push, per table).
 */
export const userOrganizationId = () => uuid("organization_id").notNull();

/** A row that belongs to one user and goes with them. */
export const userId = () =>
  uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
