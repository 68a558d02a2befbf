/** The bare floor: socket.io and node:http with no application behind them. */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { SLUG } from "./common";

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
  const template = JSON.parse(samplePayload) as { question: { id: string; version: number } };
  const votes = new Map<string, number>();
  const changed = new Set<string>();
  // Plenary coalesces vote counts per 200 ms tick (server/realtime/publishers/qa.ts, VOTE_TICK_MS).
  setInterval(() => {
    if (!changed.size) return;
    const counts = [...changed].map((id) => [id, votes.get(id) ?? 0]);
    changed.clear();
    io.to("session").emit("question:votes", { sessionId: "bare", counts });
  }, 200).unref();
  io.on("connection", (socket) => {
    socket.on("session:join", (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { sessionId: "bare", slug: SLUG } }));
    socket.on("qa:sync", (p: { view?: string }, ack: (r: unknown) => void) => {
      void socket.join(p.view === "staff" ? ["session", "staff"] : "session");
      ack({ ok: true, data: { votes: Object.fromEntries(votes) } });
    });
    socket.on("question:submit", (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { question: { id: randomUUID(), version: 1 } } }));
    socket.on("question:vote", (p: { questionId: string }, ack: (r: unknown) => void) => {
      const n = (votes.get(p.questionId) ?? 0) + 1;
      votes.set(p.questionId, n);
      changed.add(p.questionId);
      ack({ ok: true, data: { questionId: p.questionId, up: true, votes: n } });
    });
    socket.on("question:moderate", (p: { questionId: string }, ack: (r: unknown) => void) => {
      // The same payload Plenary sent for an approval (same size), with this question's id.
      io.to("session").emit("question:changed", { ...template, question: { ...template.question, id: p.questionId } });
      ack({ ok: true, data: null });
    });
  });
  httpServer.listen(port, "127.0.0.1", () => process.stdout.write(`Bare server ready on http://127.0.0.1:${port}\n`));
  process.on("SIGTERM", () => io.close(() => process.exit(0)));
}
