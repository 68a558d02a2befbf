/** Helpers shared by the poll integration tests (real server, real sockets, real database). */
import { sql } from "drizzle-orm";
import type { AckResult } from "../../lib/realtime/contract";
import type { PollSnapshot } from "../../lib/polls";
import type { PlenaryServices } from "../services";
import { connectClient, untyped, type TestSocket } from "../testing/clients";
import type { TestPerson } from "../testing/people";

export function emit<T>(socket: TestSocket, event: string, payload: unknown, timeoutMs = 15_000): Promise<AckResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} within ${timeoutMs} ms`)), timeoutMs);
    untyped(socket).emit(event, payload, (r: AckResult<T>) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

/** The ack's data, or a thrown error naming the refusal. */
export async function ok<T>(p: Promise<AckResult<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`refused: ${r.error.code}: ${r.error.message}`);
  return r.data;
}

export async function refusalCode(p: Promise<AckResult<unknown>>): Promise<string> {
  const r = await p;
  return r.ok ? "accepted" : r.error.code;
}

/** A socket signed in as `who` (or anonymous), joined to the session's rooms, with its first snapshot. */
export async function joinSession(url: string, who: TestPerson | null, slug: string): Promise<{ socket: TestSocket; snapshot: PollSnapshot }> {
  const socket = await connectClient(url, { origin: url, cookie: who?.cookie });
  await ok(emit(socket, "session:join", { slug }));
  const snapshot = await ok(emit<PollSnapshot>(socket, "poll:sync", { slug }));
  return { socket, snapshot };
}

export async function rows<T>(app: PlenaryServices, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = await app.db.execute(query);
  return (res as { rows: T[] }).rows;
}

/** What the database holds for a poll: respondents and per option/value/word counts. */
export async function dbTally(app: PlenaryServices, pollId: string) {
  const [{ n }] = await rows<{ n: number }>(app, sql`SELECT count(*)::int AS n FROM poll_responses WHERE poll_id = ${pollId}`);
  const perOption = await rows<{ option_id: string; n: number }>(
    app,
    sql`SELECT o.id AS option_id, count(r.seq)::int AS n FROM poll_options o LEFT JOIN poll_responses r ON r.poll_id = o.poll_id AND o.id = ANY(r.option_ids) WHERE o.poll_id = ${pollId} GROUP BY o.id, o.position ORDER BY o.position`,
  );
  return { respondents: Number(n), perOption: perOption.map((r) => Number(r.n)) };
}

/** Waits until `check` passes (for facts that arrive on the next tick). */
export async function eventually(check: () => void | Promise<void>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
