CREATE TABLE "attendance_samples" (
	"session_id" uuid NOT NULL,
	"instance_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"in_room" integer DEFAULT 0 NOT NULL,
	"remote" integer DEFAULT 0 NOT NULL,
	"stream" integer DEFAULT 0 NOT NULL,
	"in_room_peak" integer DEFAULT 0 NOT NULL,
	"remote_peak" integer DEFAULT 0 NOT NULL,
	"stream_peak" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "attendance_samples_session_id_instance_id_at_pk" PRIMARY KEY("session_id","instance_id","at"),
	CONSTRAINT "attendance_samples_counts_valid" CHECK ("attendance_samples"."in_room" >= 0 AND "attendance_samples"."remote" >= 0 AND "attendance_samples"."stream" >= 0)
);
--> statement-breakpoint
CREATE TABLE "feedback_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"text" text NOT NULL,
	CONSTRAINT "feedback_questions_position_valid" CHECK ("feedback_questions"."position" BETWEEN 1 AND 3),
	CONSTRAINT "feedback_questions_text_length" CHECK (char_length("feedback_questions"."text") BETWEEN 3 AND 200)
);
--> statement-breakpoint
CREATE TABLE "feedback_receipts" (
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "feedback_receipts_session_id_user_id_pk" PRIMARY KEY("session_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "session_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "session_feedback_rating_valid" CHECK ("session_feedback"."rating" BETWEEN 1 AND 5),
	CONSTRAINT "session_feedback_comment_length" CHECK ("session_feedback"."comment" IS NULL OR char_length("session_feedback"."comment") <= 1000)
);
--> statement-breakpoint
ALTER TABLE "attendance_samples" ADD CONSTRAINT "attendance_samples_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_questions" ADD CONSTRAINT "feedback_questions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_receipts" ADD CONSTRAINT "feedback_receipts_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_receipts" ADD CONSTRAINT "feedback_receipts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_feedback" ADD CONSTRAINT "session_feedback_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attendance_samples_session_at_idx" ON "attendance_samples" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "attendance_samples_updated_at_idx" ON "attendance_samples" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "feedback_questions_event_id_idx" ON "feedback_questions" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "feedback_receipts_user_id_idx" ON "feedback_receipts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "session_feedback_session_id_idx" ON "session_feedback" USING btree ("session_id");