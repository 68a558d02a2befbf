CREATE TABLE "recording_files" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"backend" text NOT NULL,
	"status" text NOT NULL,
	"identity" text,
	"path" text,
	"bytes" bigint,
	"duration_ms" integer,
	"error" text,
	"started_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"published_by" uuid,
	CONSTRAINT "recording_files_status_valid" CHECK ("recording_files"."status" IN ('recording','finalising','ready','failed')),
	CONSTRAINT "recording_files_backend_valid" CHECK ("recording_files"."backend" IN ('recorder','egress'))
);
--> statement-breakpoint
ALTER TABLE "recording_files" ADD CONSTRAINT "recording_files_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_files" ADD CONSTRAINT "recording_files_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_files" ADD CONSTRAINT "recording_files_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recording_files_session_id_idx" ON "recording_files" USING btree ("session_id","started_at");