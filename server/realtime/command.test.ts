/**
 * The command router on a real socket.io server and clients on loopback: every socket shares one
 * listener (no closures per socket and command), and each command still gets its own schema, rate
 * limit, sender and ack.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createLogger } from "../log";
import { connectClient, type TestSocket } from "../testing/clients";
import { CommandRouter } from "./command";
import type { PlenarySocket } from "./io";
import { RateLimiter } from "./rate-limit";

describe("CommandRouter", () => {
  let httpServer: http.Server;
  let io: Server;
  let url: string;
  const clients: TestSocket[] = [];
  const seen: Array<{ socket: string; actor: string | null; slug: string }> = [];

  beforeAll(async () => {
    const router = new CommandRouter({ log: createLogger("silent"), limiter: new RateLimiter() });
    router.on("session:leave", async ({ slug }, { socket, actor }) => {
      seen.push({ socket: socket.id, actor: actor?.userId ?? null, slug });
      if (slug === "refused") throw new AppError("forbidden", "Not for you.");
      return null;
    });
    let states = 0;
    router.on(
      "session:join",
      async () => {
        states++;
        throw new AppError("not_found", `call ${states}`);
      },
      { capacity: 1, perSecond: 0.01 },
    );
    httpServer = http.createServer();
    io = new Server(httpServer);
    io.on("connection", (socket) => {
      (socket as PlenarySocket).data.actor = null;
      router.attach(socket as PlenarySocket);
    });
    await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    clients.push(await connectClient(url), await connectClient(url));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await new Promise((r) => io.close(r));
  });

  it("gives every socket the same single listener and no per-command listeners", () => {
    const sockets = [...io.sockets.sockets.values()];
    expect(sockets).toHaveLength(2);
    for (const s of sockets) {
      // socket.io's own "error" listener only: no listener per command.
      expect(s.eventNames()).toEqual(["error"]);
      expect(s.listenersAny()).toHaveLength(1);
    }
    expect(sockets[0].listenersAny()[0]).toBe(sockets[1].listenersAny()[0]);
  });

  it("runs the handler with its sender, answers through the ack, and maps refusals and bad payloads to codes", async () => {
    const [a, b] = clients;
    expect(await a.emitWithAck("session:leave", { slug: "fms-planning" })).toEqual({ ok: true, data: null });
    expect(await b.emitWithAck("session:leave", { slug: "refused" })).toEqual({ ok: false, error: { code: "forbidden", message: "Not for you." } });
    expect(seen).toEqual([
      { socket: a.id, actor: null, slug: "fms-planning" },
      { socket: b.id, actor: null, slug: "refused" },
    ]);
    const bad = await a.emitWithAck("session:leave", { slug: 42 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    expect(seen).toHaveLength(2);
    // The command's own budget: one, then refused before the handler runs.
    expect(await a.emitWithAck("session:join", { slug: "fms-planning" })).toEqual({ ok: false, error: { code: "not_found", message: "call 1" } });
    expect(await a.emitWithAck("session:join", { slug: "fms-planning" })).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });
});
