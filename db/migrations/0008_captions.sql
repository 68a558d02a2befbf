CREATE TABLE "caption_cues" (
	"session_id" uuid NOT NULL,
	"lang" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"text" text NOT NULL,
	CONSTRAINT "caption_cues_session_id_lang_seq_pk" PRIMARY KEY("session_id","lang","seq")
);
--> statement-breakpoint
CREATE TABLE "caption_feeds" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"last_caption_at" timestamp with time zone,
	"stalled" boolean DEFAULT false NOT NULL,
	"vtt_published" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "caption_tracks" (
	"session_id" uuid NOT NULL,
	"lang" text NOT NULL,
	"last_seq" integer NOT NULL,
	"recent_seqs" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "caption_tracks_session_id_lang_pk" PRIMARY KEY("session_id","lang"),
	CONSTRAINT "caption_tracks_seq_valid" CHECK ("caption_tracks"."last_seq" >= 0)
);
--> statement-breakpoint
ALTER TABLE "caption_cues" ADD CONSTRAINT "caption_cues_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caption_feeds" ADD CONSTRAINT "caption_feeds_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "caption_tracks" ADD CONSTRAINT "caption_tracks_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "caption_cues_session_id_idx" ON "caption_cues" USING btree ("session_id","lang","at");