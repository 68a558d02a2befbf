CREATE TABLE "panel_note_reads" (
	"note_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "panel_note_reads_note_id_user_id_pk" PRIMARY KEY("note_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "panel_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"sender_id" uuid NOT NULL,
	"sender_role" text NOT NULL,
	"text" text NOT NULL,
	"client_key" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "panel_notes_sender_role_valid" CHECK ("panel_notes"."sender_role" IN ('organizer','moderator')),
	CONSTRAINT "panel_notes_text_length" CHECK (char_length("panel_notes"."text") BETWEEN 1 AND 140)
);
--> statement-breakpoint
ALTER TABLE "panel_note_reads" ADD CONSTRAINT "panel_note_reads_note_id_panel_notes_id_fk" FOREIGN KEY ("note_id") REFERENCES "public"."panel_notes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_note_reads" ADD CONSTRAINT "panel_note_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_notes" ADD CONSTRAINT "panel_notes_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_notes" ADD CONSTRAINT "panel_notes_sender_id_users_id_fk" FOREIGN KEY ("sender_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "panel_note_reads_user_id_idx" ON "panel_note_reads" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "panel_notes_session_id_idx" ON "panel_notes" USING btree ("session_id","sent_at");--> statement-breakpoint
CREATE INDEX "panel_notes_sender_id_idx" ON "panel_notes" USING btree ("sender_id");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_notes_sender_key_uq" ON "panel_notes" USING btree ("session_id","sender_id","client_key");