CREATE TABLE "okta_log_cursors" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"connection" text NOT NULL,
	"next_url" text,
	"leased_until" timestamp with time zone,
	"blocked_until" timestamp with time zone,
	"last_polled_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"events_seen" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "refresh_token" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "groups_refresh_lease" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "okta_log_cursors" ADD CONSTRAINT "okta_log_cursors_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;