CREATE TABLE "okta_events" (
	"organization_id" uuid NOT NULL,
	"uuid" text NOT NULL,
	"connection" text NOT NULL,
	"event_type" text NOT NULL,
	"published" timestamp with time zone NOT NULL,
	"delivery_id" text,
	"source" text NOT NULL,
	"event" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "okta_events_organization_id_uuid_pk" PRIMARY KEY("organization_id","uuid")
);
--> statement-breakpoint
ALTER TABLE "okta_events" ADD CONSTRAINT "okta_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "okta_events_pending_idx" ON "okta_events" USING btree ("organization_id","processed_at","published");