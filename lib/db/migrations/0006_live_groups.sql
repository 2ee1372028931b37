CREATE TABLE "used_token_ids" (
	"organization_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "used_token_ids_organization_id_purpose_jti_pk" PRIMARY KEY("organization_id","purpose","jti")
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "groups_source" text DEFAULT 'id_token' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "groups_confirmed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "used_token_ids" ADD CONSTRAINT "used_token_ids_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "used_token_ids_expiry_idx" ON "used_token_ids" USING btree ("expires_at");