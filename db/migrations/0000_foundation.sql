CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"theme" text NOT NULL,
	"summary" text NOT NULL,
	"venue" text NOT NULL,
	"city" text NOT NULL,
	"time_zone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"day" date NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"title" text NOT NULL,
	"topic" text,
	"description" text,
	"kind" text NOT NULL,
	"host" text NOT NULL,
	"rule" text NOT NULL,
	"streamed" boolean DEFAULT false NOT NULL,
	"recording_allowed" boolean DEFAULT false NOT NULL,
	"qa_enabled" boolean DEFAULT false NOT NULL,
	"polls_enabled" boolean DEFAULT false NOT NULL,
	"qa_mode" text DEFAULT 'pre_moderated' NOT NULL,
	"qa_open" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_slug_unique" UNIQUE("slug"),
	CONSTRAINT "sessions_chatham_house_not_streamed_or_recorded" CHECK (NOT ("sessions"."rule" = 'chatham_house' AND ("sessions"."streamed" OR "sessions"."recording_allowed"))),
	CONSTRAINT "sessions_ends_after_start" CHECK ("sessions"."ends_at" > "sessions"."starts_at"),
	CONSTRAINT "sessions_kind_valid" CHECK ("sessions"."kind" IN ('registration','remarks','keynote','break','panel','meal','announcement','conversation','reception','wrap_up')),
	CONSTRAINT "sessions_rule_valid" CHECK ("sessions"."rule" IN ('chatham_house','on_record')),
	CONSTRAINT "sessions_qa_mode_valid" CHECK ("sessions"."qa_mode" IN ('pre_moderated','open'))
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_event_id_idx" ON "sessions" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "sessions_starts_at_idx" ON "sessions" USING btree ("starts_at");