import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "../testing/clients";
import { startTestServer, type TestServer } from "../testing/test-server";

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

  it("refuses a handshake from another origin (checked in allowRequest, for WebSocket too)", async () => {
    await expect(connectClient(server.url, { origin: "https://evil.example" })).rejects.toThrow();
  });

  it("refuses frames larger than the limit by disconnecting the sender", async () => {
    const s = await connectClient(server.url);
    const closed = new Promise<string>((resolve) => s.on("disconnect", (reason) => resolve(reason)));
    (s as unknown as { emit(e: string, p: string): void }).emit("question:submit", "x".repeat(64 * 1024));
    expect(await closed).toBe("transport close");
  });
});
