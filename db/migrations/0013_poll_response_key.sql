-- seq, unique and growing with every write, is the key: a random uuid per answer cost a third of a storm batch's insert on PGlite.
ALTER TABLE "poll_responses" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "poll_responses" ADD PRIMARY KEY ("seq");
