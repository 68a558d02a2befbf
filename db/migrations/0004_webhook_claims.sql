ALTER TABLE "livekit_webhook_events" ADD COLUMN "status" text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE "livekit_webhook_events" ADD COLUMN "claim_token" text;--> statement-breakpoint
ALTER TABLE "livekit_webhook_events" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "livekit_webhook_events" ADD CONSTRAINT "livekit_webhook_events_status_valid" CHECK ("livekit_webhook_events"."status" IN ('processing','done'));