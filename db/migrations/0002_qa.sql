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
ALTER TABLE "qa_actions" ADD CONSTRAINT "qa_actions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_actions" ADD CONSTRAINT "qa_actions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_sessions" ADD CONSTRAINT "qa_sessions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_voter_id_users_id_fk" FOREIGN KEY ("voter_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_votes" ADD CONSTRAINT "question_votes_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_routed_to_users_id_fk" FOREIGN KEY ("routed_to") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "qa_actions_actor_key_unique" ON "qa_actions" USING btree ("actor_id","client_key");--> statement-breakpoint
CREATE INDEX "qa_actions_session_actor_idx" ON "qa_actions" USING btree ("session_id","actor_id","id");--> statement-breakpoint
CREATE INDEX "question_votes_voter_idx" ON "question_votes" USING btree ("voter_id");--> statement-breakpoint
CREATE INDEX "question_votes_session_idx" ON "question_votes" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "questions_session_status_idx" ON "questions" USING btree ("session_id","status");--> statement-breakpoint
CREATE INDEX "questions_session_seq_idx" ON "questions" USING btree ("session_id","seq");--> statement-breakpoint
CREATE INDEX "questions_author_id_idx" ON "questions" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "questions_merged_into_idx" ON "questions" USING btree ("merged_into");--> statement-breakpoint
CREATE UNIQUE INDEX "questions_author_key_unique" ON "questions" USING btree ("session_id","author_id","client_key");