ALTER TABLE "okta_events" ADD COLUMN "outcome_code" text;--> statement-breakpoint
ALTER TABLE "okta_events" ADD COLUMN "outcome_detail" jsonb;