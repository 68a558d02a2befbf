-- The question's own key already ties a vote to the session and removes it with the session; this second check ran once per vote written.
ALTER TABLE "question_votes" DROP CONSTRAINT "question_votes_session_id_sessions_id_fk";
