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
ALTER TABLE "poll_options" ADD CONSTRAINT "poll_options_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_responses" ADD CONSTRAINT "poll_responses_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_responses" ADD CONSTRAINT "poll_responses_voter_id_users_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_session_versions" ADD CONSTRAINT "poll_session_versions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "poll_responses_voter_id_idx" ON "poll_responses" USING btree ("voter_id");--> statement-breakpoint
CREATE INDEX "polls_session_id_idx" ON "polls" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "polls_open_closes_at_idx" ON "polls" USING btree ("closes_at") WHERE "polls"."status" = 'open';