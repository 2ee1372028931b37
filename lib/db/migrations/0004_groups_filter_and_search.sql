DROP INDEX "users_org_email_id_idx";--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "groups_allow" text;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "groups_block" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "source_groups" text[];--> statement-breakpoint
CREATE INDEX "users_org_sort_idx" ON "users" USING btree ("organization_id",coalesce("email", ''),"id");--> statement-breakpoint
CREATE INDEX "users_org_email_prefix_idx" ON "users" USING btree ("organization_id",lower("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_org_name_prefix_idx" ON "users" USING btree ("organization_id",lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "audit_events_org_target_idx" ON "audit_events" USING btree ("organization_id","target","id");--> statement-breakpoint
CREATE INDEX "audit_events_org_actor_prefix_idx" ON "audit_events" USING btree ("organization_id",lower("actor") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "audit_events_org_target_prefix_idx" ON "audit_events" USING btree ("organization_id",lower("target_label") text_pattern_ops);--> statement-breakpoint
ALTER TABLE "sessions" DROP COLUMN "groups";