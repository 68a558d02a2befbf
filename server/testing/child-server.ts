/**
 * A Plenary test server in a child process, for fault tests that kill it without warning (SIGKILL)
 * and start it again on the same data. The parent forks this file (with tsx) and talks to it over
 * the IPC channel; the child runs the same composition root as every test (`startTestServer`).
 *
 *   child → parent  { type: "ready", url, port }
 *   parent → child  { type: "call", id, op, args }   child → parent  { type: "result", id, value } | { type: "result", id, error }
 *
 * Operations: `people` (create participants with sign-ins, like createPerson) and `dump` (what the
 * database holds for one session's Q&A). SIGTERM closes the server gracefully; SIGKILL is the crash.
 */
import { fork, type ChildProcess } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { questions, questionVotes, sessions } from "../../db/schema";
import { createPerson, type PersonSpec, type TestPerson } from "./people";
import { startTestServer, type TestServer } from "./test-server";

export interface ChildServerOptions {
  now: string;
  database: { dataDir: string } | { databaseUrl: string };
  port: number;
}

export interface QaDump {
  questions: Array<{ id: string; clientKey: string; authorId: string | null; status: string; voteCount: number; version: number }>;
  votes: Array<{ questionId: string; voterId: string }>;
}

interface Ops {
  people: { args: PersonSpec[]; value: TestPerson[] };
  dump: { args: { slug: string }; value: QaDump };
}

type Call = { type: "call"; id: number; op: keyof Ops; args: unknown };
type Reply = { type: "ready"; url: string; port: number } | { type: "result"; id: number; value?: unknown; error?: string };

export interface ChildServer {
  url: string;
  port: number;
  call<O extends keyof Ops>(op: O, args: Ops[O]["args"]): Promise<Ops[O]["value"]>;
  /** The crash: SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** A graceful stop (SIGTERM). */
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago (the restarted server must listen where clients reconnect). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the child and resolves when it listens; rejects if it exits or is not ready within `timeoutMs`. */
export function startChildServer(opts: ChildServerOptions, timeoutMs = 60_000): Promise<ChildServer> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, PLENARY_CHILD_SERVER: JSON.stringify(opts) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  child.on("message", (m: Reply) => {
    if (m.type !== "result") return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.value);
  });
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error("the child server exited"));
    pending.clear();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the child server was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error("the child server exited before it was ready"));
    });
    child.on("message", (m: Reply) => {
      if (m.type !== "ready") return;
      clearTimeout(timer);
      resolve({
        url: m.url,
        port: m.port,
        call: (op, args) =>
          new Promise((res, rej) => {
            const id = ++nextId;
            pending.set(id, { resolve: res, reject: rej });
            child.send({ type: "call", id, op, args } satisfies Call);
          }),
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
          await exited;
        },
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

// ── The child ─────────────────────────────────────────────────────────────────────────────────────

async function runChild(opts: ChildServerOptions): Promise<void> {
  const server: TestServer = await startTestServer({ now: opts.now, database: opts.database, config: { port: opts.port } });
  const ops: { [O in keyof Ops]: (args: Ops[O]["args"]) => Promise<Ops[O]["value"]> } = {
    people: async (specs) => {
      const out: TestPerson[] = [];
      for (const spec of specs) out.push(await createPerson(server.services, spec));
      return out;
    },
    dump: async ({ slug }) => {
      const db = server.services.db;
      const [session] = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.slug, slug));
      const rows = await db.select().from(questions).where(eq(questions.sessionId, session.id));
      const votes = await db
        .select({ questionId: questionVotes.questionId, voterId: questionVotes.voterId })
        .from(questionVotes)
        .where(eq(questionVotes.sessionId, session.id));
      return {
        questions: rows.map((r) => ({ id: r.id, clientKey: r.clientKey, authorId: r.authorId, status: r.status, voteCount: r.voteCount, version: r.version })),
        votes,
      };
    },
  };
  process.on("message", (m: Call) => {
    if (m?.type !== "call") return;
    const run = ops[m.op] as (args: unknown) => Promise<unknown>;
    run(m.args).then(
      (value) => process.send?.({ type: "result", id: m.id, value } satisfies Reply),
      (err: unknown) => process.send?.({ type: "result", id: m.id, error: (err as Error)?.message ?? String(err) } satisfies Reply),
    );
  });
  process.once("SIGTERM", () => void server.close().finally(() => process.exit(0)));
  // The parent went away (a failed test): do not linger.
  process.once("disconnect", () => void server.close().finally(() => process.exit(0)));
  process.send?.({ type: "ready", url: server.url, port: server.port } satisfies Reply);
}

if (process.env.PLENARY_CHILD_SERVER && process.send) {
  void runChild(JSON.parse(process.env.PLENARY_CHILD_SERVER) as ChildServerOptions).catch((err: unknown) => {
    process.stderr.write(`child server failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
