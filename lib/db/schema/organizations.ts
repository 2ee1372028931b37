import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** One customer of the portal. In this version an organization has exactly one Okta connection of the same name. */
export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Organization = typeof organizations.$inferSelect;
