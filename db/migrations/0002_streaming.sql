CREATE TABLE "hand_raises" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"camera" boolean DEFAULT false NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	CONSTRAINT "hand_raises_status_valid" CHECK ("hand_raises"."status" IN ('waiting','promoted','done','withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "livekit_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_streams" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"state" text DEFAULT 'idle' NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"room_finished_at" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_streams_state_valid" CHECK ("session_streams"."state" IN ('idle','live','ended'))
);
--> statement-breakpoint
CREATE TABLE "stream_attendance" (
	"participant_sid" text PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"identity" text NOT NULL,
	"role" text NOT NULL,
	"joined_at" timestamp with time zone,
	"left_at" timestamp with time zone,
	CONSTRAINT "stream_attendance_role_valid" CHECK ("stream_attendance"."role" IN ('viewer','publisher','monitor','speaker'))
);
--> statement-breakpoint
CREATE TABLE "stream_recordings" (
	"egress_id" text PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"status" text NOT NULL,
	"started_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "stream_recordings_status_valid" CHECK ("stream_recordings"."status" IN ('active','ended','stopped_by_guard'))
);
--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_streams" ADD CONSTRAINT "session_streams_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_attendance" ADD CONSTRAINT "stream_attendance_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_recordings" ADD CONSTRAINT "stream_recordings_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_recordings" ADD CONSTRAINT "stream_recordings_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hand_raises_open_unique" ON "hand_raises" USING btree ("session_id","user_id") WHERE "hand_raises"."status" IN ('waiting','promoted');--> statement-breakpoint
CREATE INDEX "hand_raises_queue_idx" ON "hand_raises" USING btree ("session_id","status","raised_at");--> statement-breakpoint
CREATE INDEX "hand_raises_user_id_idx" ON "hand_raises" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "livekit_webhook_events_received_at_idx" ON "livekit_webhook_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "stream_attendance_session_id_idx" ON "stream_attendance" USING btree ("session_id","left_at");--> statement-breakpoint
CREATE INDEX "stream_recordings_session_id_idx" ON "stream_recordings" USING btree ("session_id","status");