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
CREATE TABLE "poll_options" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"poll_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "poll_options_poll_position_unique" UNIQUE("poll_id","position")
);
--> statement-breakpoint
CREATE TABLE "poll_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"poll_id" uuid NOT NULL,
	"voter_id" uuid,
	"option_ids" uuid[],
	"rating" smallint,
	"word" text,
	"seq" bigserial NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "poll_responses_poll_voter_unique" UNIQUE("poll_id","voter_id"),
	CONSTRAINT "poll_responses_one_answer_kind" CHECK ((CASE WHEN "poll_responses"."option_ids" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN "poll_responses"."rating" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN "poll_responses"."word" IS NULL THEN 0 ELSE 1 END) = 1)
);
--> statement-breakpoint
CREATE TABLE "poll_session_versions" (
	"session_id" uuid NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "poll_session_versions_session_id_pk" PRIMARY KEY("session_id")
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"question" text NOT NULL,
	"max_picks" smallint,
	"scale_max" smallint,
	"low_label" text,
	"high_label" text,
	"results_visibility" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"published_at" timestamp with time zone,
	"duration_seconds" integer,
	"closes_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"client_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "polls_session_client_key_unique" UNIQUE("session_id","client_key"),
	CONSTRAINT "polls_kind_valid" CHECK ("polls"."kind" IN ('single','multiple','rating','word_cloud')),
	CONSTRAINT "polls_status_valid" CHECK ("polls"."status" IN ('draft','open','closed')),
	CONSTRAINT "polls_results_visibility_valid" CHECK ("polls"."results_visibility" IN ('live','after_close','published')),
	CONSTRAINT "polls_rating_scale" CHECK (("polls"."kind" = 'rating') = ("polls"."scale_max" IS NOT NULL) AND ("polls"."scale_max" IS NULL OR "polls"."scale_max" IN (5, 10))),
	CONSTRAINT "polls_multiple_max_picks" CHECK (("polls"."kind" = 'multiple') = ("polls"."max_picks" IS NOT NULL) AND ("polls"."max_picks" IS NULL OR "polls"."max_picks" >= 1)),
	CONSTRAINT "polls_duration_positive" CHECK ("polls"."duration_seconds" IS NULL OR "polls"."duration_seconds" > 0)
);
--> statement-breakpoint
CREATE TABLE "qa_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"actor_id" uuid NOT NULL,
	"client_key" text NOT NULL,
	"kind" text NOT NULL,
	"undo" jsonb,
	"result" jsonb NOT NULL,
	"undone_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_sessions" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"on_stage_question_id" uuid,
	"intake_paused" boolean DEFAULT false NOT NULL,
	"authors_erased_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "question_votes" (
	"question_id" uuid NOT NULL,
	"voter_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "question_votes_question_id_voter_id_pk" PRIMARY KEY("question_id","voter_id")
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"author_id" uuid,
	"chatham" boolean NOT NULL,
	"anonymous" boolean DEFAULT true NOT NULL,
	"author_name" text,
	"author_affiliation" text,
	"origin" text NOT NULL,
	"text" text NOT NULL,
	"original_text" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"dismiss_reason" text,
	"starred" boolean DEFAULT false NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"routed_to" uuid,
	"merged_into" uuid,
	"panel_order" double precision DEFAULT 0 NOT NULL,
	"vote_count" integer DEFAULT 0 NOT NULL,
	"client_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "questions_status_valid" CHECK ("questions"."status" IN ('pending','approved','answered','dismissed','merged')),
	CONSTRAINT "questions_origin_valid" CHECK ("questions"."origin" IN ('room','remote')),
	CONSTRAINT "questions_text_length" CHECK (char_length("questions"."text") BETWEEN 3 AND 500),
	CONSTRAINT "questions_chatham_house_anonymous" CHECK (NOT ("questions"."chatham" AND (NOT "questions"."anonymous" OR "questions"."author_name" IS NOT NULL OR "questions"."author_affiliation" IS NOT NULL))),
	CONSTRAINT "questions_anonymous_unnamed" CHECK (NOT ("questions"."anonymous" AND ("questions"."author_name" IS NOT NULL OR "questions"."author_affiliation" IS NOT NULL))),
	CONSTRAINT "questions_merged_has_target" CHECK (("questions"."status" = 'merged') = ("questions"."merged_into" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hand_raises" ADD CONSTRAINT "hand_raises_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_streams" ADD CONSTRAINT "session_streams_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_attendance" ADD CONSTRAINT "stream_attendance_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_recordings" ADD CONSTRAINT "stream_recordings_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_recordings" ADD CONSTRAINT "stream_recordings_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_options" ADD CONSTRAINT "poll_options_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_responses" ADD CONSTRAINT "poll_responses_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_responses" ADD CONSTRAINT "poll_responses_voter_id_users_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_session_versions" ADD CONSTRAINT "poll_session_versions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_actions" ADD CONSTRAINT "qa_actions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_actions" ADD CONSTRAINT "qa_actions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_sessions" ADD CONSTRAINT "qa_sessions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_voter_id_users_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_routed_to_users_id_fk" FOREIGN KEY ("routed_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hand_raises_open_unique" ON "hand_raises" USING btree ("session_id","user_id") WHERE "hand_raises"."status" IN ('waiting','promoted');--> statement-breakpoint
CREATE INDEX "hand_raises_queue_idx" ON "hand_raises" USING btree ("session_id","status","raised_at");--> statement-breakpoint
CREATE INDEX "hand_raises_user_id_idx" ON "hand_raises" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "livekit_webhook_events_received_at_idx" ON "livekit_webhook_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "stream_attendance_session_id_idx" ON "stream_attendance" USING btree ("session_id","left_at");--> statement-breakpoint
CREATE INDEX "stream_recordings_session_id_idx" ON "stream_recordings" USING btree ("session_id","status");--> statement-breakpoint
CREATE INDEX "poll_responses_voter_id_idx" ON "poll_responses" USING btree ("voter_id");--> statement-breakpoint
CREATE INDEX "polls_session_id_idx" ON "polls" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "polls_open_closes_at_idx" ON "polls" USING btree ("closes_at") WHERE "polls"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "qa_actions_actor_key_unique" ON "qa_actions" USING btree ("actor_id","client_key");--> statement-breakpoint
CREATE INDEX "qa_actions_session_actor_idx" ON "qa_actions" USING btree ("session_id","actor_id","id");--> statement-breakpoint
CREATE INDEX "question_votes_voter_idx" ON "question_votes" USING btree ("voter_id");--> statement-breakpoint
CREATE INDEX "question_votes_session_idx" ON "question_votes" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "questions_session_status_idx" ON "questions" USING btree ("session_id","status");--> statement-breakpoint
CREATE INDEX "questions_session_seq_idx" ON "questions" USING btree ("session_id","seq");--> statement-breakpoint
CREATE INDEX "questions_author_id_idx" ON "questions" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "questions_merged_into_idx" ON "questions" USING btree ("merged_into");--> statement-breakpoint
CREATE UNIQUE INDEX "questions_author_key_unique" ON "questions" USING btree ("session_id","author_id","client_key");