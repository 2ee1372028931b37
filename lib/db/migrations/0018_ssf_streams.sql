CREATE TABLE "ssf_streams" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"stream_id" text,
	"auth_hash" text,
	"transmitter_issuer" text,
	"jwks_uri" text,
	"audience" text,
	"status" text DEFAULT 'unregistered' NOT NULL,
	"status_reason" text,
	"verification_state" text,
	"verification_requested_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"last_event_at" timestamp with time zone,
	"last_event_type" text,
	"last_refused_at" timestamp with time zone,
	"last_refused_reason" text,
	"lease_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ssf_streams" ADD CONSTRAINT "ssf_streams_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;