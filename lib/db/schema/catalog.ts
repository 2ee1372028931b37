import { organizationId } from "./columns";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { teams } from "./teams";

export const SERVICE_LIFECYCLES = ["experimental", "production", "deprecated"] as const;
export type ServiceLifecycle = (typeof SERVICE_LIFECYCLES)[number];

/** The service catalog: each service is owned by one team (an Okta group). */
export const services = pgTable(
  "services",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    lifecycle: text("lifecycle", { enum: SERVICE_LIFECYCLES }).notNull().default("experimental"),
    ownerTeamId: uuid("owner_team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "restrict" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text("updated_by"),
  },
  (t) => [
    uniqueIndex("services_org_name_idx").on(t.organizationId, t.name),
    index("services_owner_idx").on(t.ownerTeamId),
  ],
);

export type ServiceRow = typeof services.$inferSelect;
