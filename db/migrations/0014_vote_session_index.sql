-- A vote batch kept this index up to date for every vote, for one rare statement: erasure now finds a session's votes through its questions.
DROP INDEX "question_votes_session_idx";
