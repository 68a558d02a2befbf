import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "../testing/clients";
import { startTestServer, type TestServer } from "../testing/test-server";
import { instanceRoom } from "./io";

describe("socket server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("accepts a page of its own origin", async () => {
    const s = await connectClient(server.url, { origin: server.url });
    expect(s.connected).toBe(true);
    s.close();
  });

  it("puts every socket in its server's own room, which a sliced broadcast leaves out of the adapter's part (slices.ts)", async () => {
    const s = await connectClient(server.url, { origin: server.url });
    const own = server.services.io.of("/").adapter.rooms;
    for (let i = 0; i < 100 && !own.get(instanceRoom(server.services.io))?.has(s.id!); i++) await new Promise((r) => setTimeout(r, 10));
    expect(own.get(instanceRoom(server.services.io))?.has(s.id!)).toBe(true);
    s.close();
  });

  it("refuses a handshake from another origin (checked in allowRequest, for WebSocket too)", async () => {
    await expect(connectClient(server.url, { origin: "https://evil.example" })).rejects.toThrow();
  });

  it("refuses frames larger than the limit by disconnecting the sender", async () => {
    const s = await connectClient(server.url);
    const closed = new Promise<string>((resolve) => s.on("disconnect", (reason) => resolve(reason)));
    (s as unknown as { emit(e: string, p: string): void }).emit("question:submit", "x".repeat(64 * 1024));
    expect(await closed).toBe("transport close");
  });

  it("lets no socket in before its command handlers are wired, and a refused client gets in by itself once they are", async () => {
    // As while starting up (and once shutting down): the server is listening but not ready for sockets.
    server.services.realtime.ready = false;
    const refused = await connectClient(server.url, { origin: server.url }).then(
      () => "connected",
      (err: Error) => err.message,
    );
    expect(refused).not.toBe("connected");

    // A page's socket (reconnection on, as in the browser) keeps trying and is answered once ready.
    const page = connect(server.url, {
      path: "/socket.io",
      transports: ["websocket"],
      extraHeaders: { origin: server.url },
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
    });
    try {
      let errors = 0;
      page.on("connect_error", () => errors++);
      await new Promise((r) => setTimeout(r, 600));
      expect(page.connected).toBe(false);
      expect(errors).toBeGreaterThan(0);
      server.services.realtime.ready = true;
      await new Promise<void>((resolve) => (page.connected ? resolve() : page.once("connect", () => resolve())));
      // And it is answered: the command handlers are there (an anonymous page may not sync Q&A).
      const ack = await page.timeout(5000).emitWithAck("qa:sync", { slug: "defense-industry-perspectives" });
      expect(ack).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(unauthenticated|forbidden)$/) } });
    } finally {
      server.services.realtime.ready = true;
      page.close();
    }
  });
});
