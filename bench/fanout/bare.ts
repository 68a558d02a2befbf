/**
 * The bare floor: socket.io and node:http with no application behind them. It answers the commands
 * the benchmarks send from memory, with the same event names, payload shapes and broadcast ticks.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { POLL_RESULTS_TICK_MS, roomTickMs, VOTE_SETTLE_MAX_MS, VOTE_SETTLE_MS, VOTE_TICK_MS } from "../../server/broadcast-tick";
import { SLUG } from "./common";

interface BarePoll {
  view: { id: string; options: Array<{ id: string; label: string }> } & Record<string, unknown>;
  /** One answer per socket (a person here), the later replacing the earlier, as Plenary keeps one per person. */
  answers: Map<string, string>;
  seq: number;
  tick?: NodeJS.Timeout;
}

/** `samplePayload`: the approval Plenary sent in this run (JSON; null when the scenario approves nothing). */
export async function serveBare(port: number, samplePayload: string): Promise<void> {
  const { Server } = await import("socket.io");
  const code = "BARE-CODE";
  const page = `<!doctype html><p class="code-display" data-testid="screen-code">${code}</p>`;
  const httpServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const cookie = (name: string) => `${name}=${randomUUID()}; Path=/; HttpOnly; SameSite=Lax`;
      if (req.method === "POST" && (req.url === "/api/join" || req.url === "/api/demo/sign-in")) {
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": [cookie("next-auth.session-token"), cookie("plenary-device")],
          "cache-control": "no-store",
        });
        return res.end(JSON.stringify({ session: { slug: SLUG, title: "Bare" }, redirect: `/sessions/${SLUG}`, echo: body.length }));
      }
      if (req.method === "GET" && req.url?.endsWith("/screen")) {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end(page);
      }
      res.writeHead(404).end();
    });
  });
  const io = new Server(httpServer, { path: "/socket.io", serveClient: false, maxHttpBufferSize: 16 * 1024 });
  const template = JSON.parse(samplePayload) as { question: { id: string; version: number } } | null;
  const votes = new Map<string, number>();
  const changed = new Set<string>();
  // Vote counts on Plenary's schedule (server/realtime/publishers/qa.ts): the first vote after a
  // broadcast starts a tick whose length grows with the room (`roomTickMs`), and once the ticks go
  // quiet one more broadcast carries every question's count (VOTE_SETTLE_MS, at most VOTE_SETTLE_MAX_MS apart).
  const roomSize = () => io.sockets.adapter.rooms.get("session")?.size ?? 0;
  let tick: NodeJS.Timeout | undefined;
  let settle: { timer: NodeJS.Timeout; since: number } | undefined;
  const broadcast = (ids: Iterable<string>) => {
    const counts = [...ids].map((id) => [id, votes.get(id) ?? 0]);
    if (counts.length) io.to("session").emit("question:votes", { sessionId: "bare", counts });
  };
  const flushVotes = () => {
    tick = undefined;
    broadcast(changed);
    changed.clear();
    const since = settle?.since ?? Date.now();
    if (settle) clearTimeout(settle.timer);
    const delay = Math.max(0, Math.min(VOTE_SETTLE_MS, since + VOTE_SETTLE_MAX_MS - Date.now()));
    settle = {
      since,
      timer: setTimeout(() => {
        settle = undefined;
        broadcast(votes.keys());
      }, delay).unref(),
    };
  };
  const voted = (questionId: string) => {
    changed.add(questionId);
    tick ??= setTimeout(flushVotes, roomTickMs(VOTE_TICK_MS, roomSize())).unref();
  };

  // Polls: totals as Plenary projects them (lib/polls.ts PollResults), broadcast on the tick after an answer.
  const polls = new Map<string, BarePoll>();
  const results = (poll: BarePoll) => {
    const counts = new Map<string, number>();
    for (const optionId of poll.answers.values()) counts.set(optionId, (counts.get(optionId) ?? 0) + 1);
    const respondents = poll.answers.size;
    return {
      pollId: poll.view.id,
      seq: poll.seq,
      respondents,
      rows: poll.view.options.map((o) => {
        const count = counts.get(o.id) ?? 0;
        return { key: o.id, label: o.label, count, percent: respondents ? Math.round((count / respondents) * 100) : null };
      }),
      mean: null,
      otherAnswers: null,
      suppressed: false,
      at: new Date().toISOString(),
    };
  };
  // Plenary's results tick (server/polls/reads.ts): one `poll:results` per poll per tick at most.
  const scheduleResults = (poll: BarePoll, delay = roomTickMs(POLL_RESULTS_TICK_MS, roomSize())) => {
    if (poll.tick) return;
    poll.tick = setTimeout(() => {
      poll.tick = undefined;
      io.to("session").emit("poll:results", results(poll));
    }, delay);
  };

  io.on("connection", (socket) => {
    socket.on("session:join", (_p: unknown, ack: (r: unknown) => void) => {
      // Plenary's session:join puts the socket in the session's room.
      void socket.join("session");
      ack({ ok: true, data: { sessionId: "bare", slug: SLUG } });
    });
    socket.on("qa:sync", (p: { view?: string }, ack: (r: unknown) => void) => {
      void socket.join(p.view === "staff" ? ["session", "staff"] : "session");
      ack({ ok: true, data: { votes: Object.fromEntries(votes) } });
    });
    socket.on("question:submit", (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { question: { id: randomUUID(), version: 1 } } }));
    socket.on("question:vote", (p: { questionId: string }, ack: (r: unknown) => void) => {
      const n = (votes.get(p.questionId) ?? 0) + 1;
      votes.set(p.questionId, n);
      voted(p.questionId);
      ack({ ok: true, data: { questionId: p.questionId, up: true, votes: n } });
    });
    socket.on("question:moderate", (p: { questionId: string }, ack: (r: unknown) => void) => {
      if (!template) return ack({ ok: false, error: { code: "bare", message: "no approval payload was given to the bare server" } });
      // The same payload Plenary sent for an approval (same size), with this question's id.
      io.to("session").emit("question:changed", { ...template, question: { ...template.question, id: p.questionId } });
      ack({ ok: true, data: null });
    });
    socket.on("poll:sync", (_p: unknown, ack: (r: unknown) => void) =>
      ack({
        ok: true,
        data: { sessionId: "bare", slug: SLUG, polls: [...polls.values()].map((poll) => ({ poll: poll.view, results: results(poll) })), mine: [] },
      }),
    );
    socket.on("poll:create", (p: { draft: { kind: string; question: string; options: string[]; resultsVisibility: string } }, ack: (r: unknown) => void) => {
      const at = new Date().toISOString();
      const view = {
        ...p.draft,
        id: randomUUID(),
        options: p.draft.options.map((label) => ({ id: randomUUID(), label })),
        maxPicks: null,
        scaleMax: null,
        lowLabel: null,
        highLabel: null,
        status: "open",
        published: false,
        durationSeconds: null,
        closesAt: null,
        openedAt: at,
        closedAt: null,
        createdAt: at,
        version: 1,
        resultsPublic: true,
      };
      const poll: BarePoll = { view, answers: new Map(), seq: 0 };
      polls.set(view.id, poll);
      io.to("session").emit("poll:opened", { poll: view, version: polls.size });
      scheduleResults(poll, 0);
      ack({ ok: true, data: view });
    });
    socket.on("poll:answer", (p: { pollId: string; answer: { optionId: string } }, ack: (r: unknown) => void) => {
      const poll = polls.get(p.pollId);
      if (!poll) return ack({ ok: false, error: { code: "poll_not_found", message: "No such poll on the bare server." } });
      poll.answers.set(socket.id, p.answer.optionId);
      poll.seq++;
      scheduleResults(poll);
      ack({ ok: true, data: { pollId: p.pollId, answer: p.answer, answeredAt: new Date().toISOString() } });
    });
  });
  httpServer.listen(port, "127.0.0.1", () => process.stdout.write(`Bare server ready on http://127.0.0.1:${port}\n`));
  process.on("SIGTERM", () => io.close(() => process.exit(0)));
}
