CREATE TABLE "okta_membership_marks" (
	"organization_id" uuid NOT NULL,
	"okta_user_id" text NOT NULL,
	"group_name" text NOT NULL,
	"published" timestamp with time zone NOT NULL,
	"uuid" text NOT NULL,
	CONSTRAINT "okta_membership_marks_organization_id_okta_user_id_group_name_pk" PRIMARY KEY("organization_id","okta_user_id","group_name")
);
--> statement-breakpoint
ALTER TABLE "okta_membership_marks" ADD CONSTRAINT "okta_membership_marks_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;