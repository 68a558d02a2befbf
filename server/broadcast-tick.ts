/**
 * When counts go out to a whole room: Q&A vote counts and live poll results are coalesced per tick.
 * A broadcast costs a write to every socket of the room, so the tick grows with the room, one more
 * tick length per 1,000 of its sockets on this instance: counts then go out at a few thousand socket
 * writes a second whatever the room's size (a room of 5,000 sees vote counts once a second), and never
 * crowd out the votes and answers they count. No imports: the benchmarks' bare floor uses it too.
 */
const SOCKETS_PER_TICK = 1000;

export function roomTickMs(baseMs: number, localSockets: number): number {
  return baseMs * Math.max(1, Math.ceil(localSockets / SOCKETS_PER_TICK));
}

/** Vote counts: the tick for a room of up to 1,000 (server/realtime/publishers/qa.ts). */
export const VOTE_TICK_MS = 200;
/** Quiet time after a session's last vote tick before its settling broadcast; at most `VOTE_SETTLE_MAX_MS` apart in a storm. */
export const VOTE_SETTLE_MS = 600;
export const VOTE_SETTLE_MAX_MS = 5000;
/** The longest a vote-count or poll-results broadcast waits for the moderators' commands under way (server/qa/gate.ts). */
export const VOTE_YIELD_MAX_MS = 250;
/** Poll results: the tick for a room of up to 1,000 (server/polls/reads.ts). */
export const POLL_RESULTS_TICK_MS = 250;
