/** The client processes, driven by the benchmark over IPC: audience members and the moderator. */
import { randomUUID } from "node:crypto";
import type { Socket } from "socket.io-client";
import { cookiesOf, emitAck, MODERATOR, now, openSocket, pool, sleep, STEP_LIMIT_MS, type Command, type Question } from "./common";

type Handler = (args: never) => Promise<unknown>;

function serveRpc(handlers: Record<string, Handler>): void {
  process.on("message", (m: { id: number; cmd: string; args: unknown }) => {
    const h = handlers[m.cmd] as ((a: unknown) => Promise<unknown>) | undefined;
    if (!h) return process.send!({ id: m.id, error: `unknown command ${m.cmd}` });
    h(m.args).then(
      (result) => process.send!({ id: m.id, result }),
      (err: unknown) => process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  // The driver gone (killed, crashed): nothing to hold sockets open for.
  process.on("disconnect", () => process.exit(0));
}

/** An audience worker: the people with global index g where g % workers === w. */
export function audienceWorker(): void {
  let url = "";
  /** `results`: every `poll:results` the socket received, as [arrival, poll id, respondents] (a hidden count as NaN). */
  let people: Array<{ g: number; cookie: string; socket?: Socket; results: Array<[number, string, number]> }> = [];
  const arrivals = new Map<string, number[]>();
  const lastBroadcast = new Map<string, number>();
  let broadcasts = 0;
  const disconnects = new Map<string, number>();
  let sample: unknown = null;
  let lastResults: unknown = null;

  serveRpc({
    async join(a: { url: string; code: string; indices: number[]; concurrency: number }) {
      url = a.url;
      const failures = new Map<string, number>();
      const t0 = now();
      const ms: number[] = [];
      people = (
        await pool(a.indices, a.concurrency, async (g) => {
          const s = now();
          try {
            const res = await fetch(`${url}/api/join`, {
              method: "POST",
              headers: { origin: url, "content-type": "application/json" },
              body: JSON.stringify({ code: a.code }),
              signal: AbortSignal.timeout(60_000),
            });
            await res.text();
            ms.push(now() - s);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const cookie = cookiesOf(res);
            if (!cookie.includes("session-token")) throw new Error("no sign-in cookie");
            return { g, cookie, results: [] as Array<[number, string, number]> };
          } catch (err) {
            const k = err instanceof Error ? err.message : String(err);
            failures.set(k, (failures.get(k) ?? 0) + 1);
            return null;
          }
        })
      ).filter((p) => p !== null);
      return { ms: now() - t0, requestMs: ms, failures: Object.fromEntries(failures) };
    },
    async connect(a: { concurrency: number }) {
      const t0 = now();
      const failures = new Map<string, number>();
      await pool(people, a.concurrency, async (p) => {
        try {
          p.socket = await openSocket(url, p.cookie);
          p.socket.on("disconnect", (reason) => disconnects.set(reason, (disconnects.get(reason) ?? 0) + 1));
          p.socket.on("question:changed", (f: { question: { id: string; status: string } }) => {
            if (f.question.status !== "approved") return;
            const t = now();
            sample ??= f;
            const list = arrivals.get(f.question.id);
            if (list) list.push(t);
            else arrivals.set(f.question.id, [t]);
          });
          p.socket.on("poll:results", (f: { pollId: string; respondents: unknown }) => {
            p.results.push([now(), f.pollId, typeof f.respondents === "number" ? f.respondents : NaN]);
            if (p === people[0]) lastResults = f;
          });
        } catch (err) {
          const k = err instanceof Error ? err.message : String(err);
          failures.set(k, (failures.get(k) ?? 0) + 1);
        }
      });
      const first = people.find((p) => p.socket)?.socket;
      first?.on("question:votes", (f: { counts: Array<[string, number]> }) => {
        broadcasts++;
        for (const [id, n] of f.counts) lastBroadcast.set(id, n);
      });
      return { ms: now() - t0, connected: people.filter((p) => p.socket).length, failures: Object.fromEntries(failures) };
    },
    /** Every socket sends the page's commands in order (e.g. session:join, then the syncs), as the session page does. */
    async enter(a: { commands: Command[]; concurrency: number }) {
      const t0 = now();
      const refused = new Map<string, number>();
      await pool(
        people.filter((p) => p.socket),
        a.concurrency,
        async (p) => {
          for (const [event, payload] of a.commands) {
            const r = await emitAck(p.socket!, event, payload);
            if (!r.ok) refused.set(`${event}: ${r.error?.code}`, (refused.get(`${event}: ${r.error?.code}`) ?? 0) + 1);
          }
        },
      );
      return { ms: now() - t0, refused: Object.fromEntries(refused) };
    },
    async submit(a: { slug: string; indices: number[] }) {
      const out: Array<Question & { g: number }> = [];
      for (const g of a.indices) {
        const p = people.find((x) => x.g === g);
        if (!p?.socket) throw new Error(`person ${g} has no socket`);
        const r = await emitAck<{ question: Question }>(p.socket, "question:submit", {
          slug: a.slug,
          key: `bench-q-${g}-${randomUUID().slice(0, 8)}`,
          text: `Benchmark question ${g}: how do partner nations plan sustainment for the next decade?`,
          anonymous: true,
        });
        if (!r.ok || !r.data) throw new Error(`question:submit refused: ${r.error?.code} ${r.error?.message}`);
        out.push({ g, id: r.data.question.id, version: r.data.question.version });
      }
      return out;
    },
    async arrivals(a: { ids: string[] }) {
      return { sockets: people.filter((p) => p.socket).length, times: a.ids.map((id) => arrivals.get(id) ?? []) };
    },
    /**
     * Open loop: person g sends `event` with payloads[g] (none: null) once, at at + g/total × spreadMs,
     * whatever happened to the others; resolves when every one is acknowledged or timed out (+∞).
     */
    async storm(a: { event: string; at: number; spreadMs: number; total: number; payloads: unknown[] }) {
      const refused = new Map<string, number>();
      const ackMs: number[] = [];
      let acked = 0;
      let lastAckAt = 0;
      // The most a send left after its scheduled moment: the load is open loop only while this stays small.
      let lateMs = 0;
      await Promise.all(
        people.map(async (p) => {
          const payload = a.payloads[p.g];
          if (!p.socket || payload == null) return;
          const due = a.at + (p.g / a.total) * a.spreadMs;
          await sleep(Math.max(0, due - now()));
          const sent = now();
          lateMs = Math.max(lateMs, sent - due);
          const r = await emitAck(p.socket, a.event, payload, 120_000);
          if (r.error?.code === "timeout") ackMs.push(Infinity);
          else ackMs.push(now() - sent);
          lastAckAt = Math.max(lastAckAt, now());
          if (r.ok) acked++;
          else refused.set(r.error!.code, (refused.get(r.error!.code) ?? 0) + 1);
        }),
      );
      return { sent: ackMs.length, acked, ackMs, lastAckAt, lateMs, refused: Object.fromEntries(refused) };
    },
    /**
     * Per connected socket: how many results of the poll it received, and when it first held `total`
     * respondents (null: never); the last results payload the first socket received, in bytes.
     */
    async pollSeen(a: { pollId: string; total: number }) {
      const sockets = people.filter((p) => p.socket);
      return {
        broadcasts: sockets.map((p) => p.results.filter((x) => x[1] === a.pollId).length),
        finalAt: sockets.map((p) => p.results.find((x) => x[1] === a.pollId && x[2] === a.total)?.[0] ?? null),
        lastTotal: people[0]?.results.filter((x) => x[1] === a.pollId).at(-1)?.[2] ?? null,
        payloadBytes: lastResults ? Buffer.byteLength(JSON.stringify(lastResults)) : null,
        disconnects: Object.fromEntries(disconnects),
      };
    },
    async votesSeen() {
      return { broadcasts, last: Object.fromEntries(lastBroadcast), disconnects: Object.fromEntries(disconnects), sample };
    },
    async close() {
      for (const p of people) p.socket?.close();
      setTimeout(() => process.exit(0), 100);
      return null;
    },
  });
}

/** The moderator's worker: one signed-in person with the staff view. */
export function moderatorWorker(): void {
  let socket: Socket | undefined;
  serveRpc({
    /** Signs in, reads the room code off the screen page, then sends the moderator page's commands. */
    async signIn(a: { url: string; slug: string; commands: Command[] }) {
      const res = await fetch(`${a.url}/api/demo/sign-in`, {
        method: "POST",
        headers: { origin: a.url, "content-type": "application/json" },
        body: JSON.stringify({ email: MODERATOR }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`demo sign-in: HTTP ${res.status} ${await res.text()}`);
      const cookie = cookiesOf(res);
      const page = await fetch(`${a.url}/sessions/${a.slug}/screen`, { headers: { cookie }, signal: AbortSignal.timeout(120_000) });
      const html = (await page.text()).replace(/<!-- -->/g, "");
      const code = /data-testid="screen-code"[^>]*>\s*([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(html)?.[1];
      if (!code) throw new Error(`no room code on the screen page (HTTP ${page.status})`);
      socket = await openSocket(a.url, cookie);
      for (const [event, payload] of a.commands) {
        const r = await emitAck(socket, event, payload);
        if (!r.ok) throw new Error(`moderator ${event} refused: ${r.error?.code} ${r.error?.message}`);
      }
      return { code };
    },
    /** Open loop: approval k is sent at startAt + k × intervalMs whatever happened to the ones before. */
    async approve(a: { slug: string; questions: Question[]; startAt: number; intervalMs: number }) {
      return Promise.all(
        a.questions.map(async (q, k) => {
          await sleep(Math.max(0, a.startAt + k * a.intervalMs - now()));
          const sentAt = now();
          const r = await emitAck(
            socket!,
            "question:moderate",
            { slug: a.slug, key: `bench-a-${randomUUID().slice(0, 12)}`, questionId: q.id, expectedVersion: q.version, action: { type: "approve" } },
            STEP_LIMIT_MS,
          );
          return { id: q.id, sentAt, ackMs: now() - sentAt, ok: r.ok, error: r.error ? `${r.error.code} ${r.error.message}` : undefined };
        }),
      );
    },
    async counts(a: { slug: string }) {
      const r = await emitAck<{ votes: Record<string, number> }>(socket!, "qa:sync", { slug: a.slug, view: "staff" }, STEP_LIMIT_MS);
      if (!r.ok) throw new Error(`moderator qa:sync refused: ${r.error?.code} ${r.error?.message}`);
      return r.data!.votes;
    },
    /** "Launch now" in the poll console: one `poll:create` with `open: true`. */
    async launchPoll(a: { slug: string; draft: unknown }) {
      const sentAt = now();
      const r = await emitAck<{ id: string; options: Array<{ id: string; label: string }> }>(
        socket!,
        "poll:create",
        { slug: a.slug, clientKey: `bench-p-${randomUUID().slice(0, 12)}`, draft: a.draft, open: true },
        STEP_LIMIT_MS,
      );
      if (!r.ok || !r.data) throw new Error(`poll:create refused: ${r.error?.code} ${r.error?.message}`);
      return { poll: r.data, ackMs: now() - sentAt };
    },
    /** The poll's respondents as the moderator's console reads them (`poll:sync`, counted from the database). */
    async pollTotal(a: { slug: string; pollId: string }) {
      const r = await emitAck<{ polls: Array<{ poll: { id: string }; results: { respondents: unknown } | null }> }>(
        socket!,
        "poll:sync",
        { slug: a.slug },
        STEP_LIMIT_MS,
      );
      if (!r.ok) throw new Error(`moderator poll:sync refused: ${r.error?.code} ${r.error?.message}`);
      const respondents = r.data!.polls.find((e) => e.poll.id === a.pollId)?.results?.respondents;
      if (typeof respondents !== "number") throw new Error(`the moderator's poll:sync has no count for the poll (${JSON.stringify(respondents)})`);
      return respondents;
    },
    async close() {
      socket?.close();
      setTimeout(() => process.exit(0), 100);
      return null;
    },
  });
}
