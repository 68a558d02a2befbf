CREATE TABLE "event_branding" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"name" text,
	"accent" text,
	"logo" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "event_branding_accent_hex" CHECK ("event_branding"."accent" IS NULL OR "event_branding"."accent" ~ '^#[0-9a-f]{6}$'),
	CONSTRAINT "event_branding_name_length" CHECK ("event_branding"."name" IS NULL OR char_length("event_branding"."name") BETWEEN 1 AND 80),
	CONSTRAINT "event_branding_logo_image" CHECK ("event_branding"."logo" IS NULL OR ("event_branding"."logo" ~ '^data:image/(png|jpeg|webp).base64,' AND length("event_branding"."logo") <= 90000))
);
--> statement-breakpoint
ALTER TABLE "event_branding" ADD CONSTRAINT "event_branding_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;