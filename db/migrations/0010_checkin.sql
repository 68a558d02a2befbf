CREATE TABLE "attendee_passes" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendee_passes_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"checked_in_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_in_by" uuid,
	"method" text NOT NULL,
	CONSTRAINT "check_ins_method_valid" CHECK ("check_ins"."method" IN ('search','pass','walk_in'))
);
--> statement-breakpoint
ALTER TABLE "event_roles" DROP CONSTRAINT "event_roles_role_valid";--> statement-breakpoint
ALTER TABLE "attendee_passes" ADD CONSTRAINT "attendee_passes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_checked_in_by_users_id_fk" FOREIGN KEY ("checked_in_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "check_ins_checked_in_at_idx" ON "check_ins" USING btree ("checked_in_at");--> statement-breakpoint
CREATE INDEX "check_ins_checked_in_by_idx" ON "check_ins" USING btree ("checked_in_by");--> statement-breakpoint
ALTER TABLE "event_roles" ADD CONSTRAINT "event_roles_role_valid" CHECK ("event_roles"."role" IN ('organizer','check_in'));