ALTER TABLE "questions" ADD COLUMN "published_seq" bigint;--> statement-breakpoint
-- Questions asked before this column existed: shown if they are shown now, or were approved once
-- (approval gives a panel order of at least 1; a question never approved keeps 0).
UPDATE "questions" SET "published_seq" = "seq" WHERE "status" IN ('approved', 'answered') OR "panel_order" > 0;
