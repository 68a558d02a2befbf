/** The client processes, driven by the benchmark over IPC: audience members and the moderator. */
import { randomUUID } from "node:crypto";
import type { Socket } from "socket.io-client";
import { cookiesOf, emitAck, MODERATOR, now, openSocket, pool, sleep, STEP_LIMIT_MS, type Question } from "./common";

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
  let people: Array<{ g: number; cookie: string; socket?: Socket }> = [];
  const arrivals = new Map<string, number[]>();
  const lastBroadcast = new Map<string, number>();
  let broadcasts = 0;
  const disconnects = new Map<string, number>();
  let sample: unknown = null;

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
            return { g, cookie };
          } catch (err) {
            const k = err instanceof Error ? err.message : String(err);
            failures.set(k, (failures.get(k) ?? 0) + 1);
            return null;
          }
        })
      ).filter((p): p is { g: number; cookie: string } => p !== null);
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
    async enter(a: { slug: string; concurrency: number }) {
      const t0 = now();
      const refused = new Map<string, number>();
      await pool(
        people.filter((p) => p.socket),
        a.concurrency,
        async (p) => {
          for (const [event, payload] of [
            ["session:join", { slug: a.slug }],
            ["qa:sync", { slug: a.slug }],
          ] as const) {
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
    /** Every socket votes once at its moment in [at, at + spreadMs]; resolves when every vote is acknowledged or timed out. */
    async storm(a: { slug: string; at: number; spreadMs: number; total: number; target: (string | null)[] }) {
      const refused = new Map<string, number>();
      const ackMs: number[] = [];
      let acked = 0;
      let lastAckAt = 0;
      await Promise.all(
        people.map(async (p) => {
          const questionId = a.target[p.g];
          if (!p.socket || !questionId) return;
          await sleep(Math.max(0, a.at + (p.g / a.total) * a.spreadMs - now()));
          const sent = now();
          const r = await emitAck(
            p.socket,
            "question:vote",
            { slug: a.slug, key: `bench-v-${p.g}-${randomUUID().slice(0, 8)}`, questionId, up: true },
            120_000,
          );
          if (r.error?.code === "timeout") ackMs.push(Infinity);
          else ackMs.push(now() - sent);
          lastAckAt = Math.max(lastAckAt, now());
          if (r.ok) acked++;
          else refused.set(r.error!.code, (refused.get(r.error!.code) ?? 0) + 1);
        }),
      );
      return { sent: ackMs.length, acked, ackMs, lastAckAt, refused: Object.fromEntries(refused) };
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
    async signIn(a: { url: string; slug: string }) {
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
      for (const [event, payload] of [
        ["session:join", { slug: a.slug }],
        ["qa:sync", { slug: a.slug, view: "staff" }],
      ] as const) {
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
    async close() {
      socket?.close();
      setTimeout(() => process.exit(0), 100);
      return null;
    },
  });
}
