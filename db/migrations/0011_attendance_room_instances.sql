CREATE TABLE "stream_rooms_finished" (
	"room_sid" text PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Rows from before this migration name no instance (''): the next room_finished of their session ends them.
ALTER TABLE "stream_attendance" ADD COLUMN "room_sid" text NOT NULL DEFAULT '';--> statement-breakpoint
ALTER TABLE "stream_attendance" ALTER COLUMN "room_sid" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "stream_rooms_finished" ADD CONSTRAINT "stream_rooms_finished_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stream_rooms_finished_session_id_idx" ON "stream_rooms_finished" USING btree ("session_id");--> statement-breakpoint
ALTER TABLE "session_streams" DROP COLUMN "room_finished_at";