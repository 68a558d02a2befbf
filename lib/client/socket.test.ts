/**
 * The reconnect policy against a real socket.io server on loopback: socket.io gives up after a
 * handshake its server refused in a middleware, so a page whose reconnect was refused while the
 * server was busy (the survivor of a crash, say) would stay offline for good. `keepConnected` asks
 * again, but not when the refusal is about the sign-in (the page handles that).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepConnected } from "./socket";

let server: Server;
let url: string;
/** Handshakes still to refuse as "busy", by the client's name. */
const busy = new Map<string, number>();
const seen = new Map<string, number>();
const clients: Socket[] = [];

beforeAll(async () => {
  const http = createServer();
  server = new Server(http);
  server.use((socket, next) => {
    const name = String(socket.handshake.auth.name);
    seen.set(name, (seen.get(name) ?? 0) + 1);
    const refusal = (code: string) => Object.assign(new Error(`refused: ${code}`), { data: { code, retryAfterMs: 100 } });
    if (name.startsWith("signed-out")) return next(refusal("unauthenticated"));
    const left = busy.get(name) ?? 0;
    if (left > 0) {
      busy.set(name, left - 1);
      return next(refusal("unavailable"));
    }
    next();
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  clients.forEach((c) => c.close());
  await server.close();
});

function page(name: string): { socket: Socket; errors: string[] } {
  const socket = io(url, { auth: { name }, transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  clients.push(socket);
  const errors: string[] = [];
  socket.on("connect_error", (err) => errors.push(err.message));
  keepConnected(socket, undefined);
  return { socket, errors };
}

describe("keepConnected", () => {
  it("asks again after the server refused a handshake for a passing reason, until it is let in", async () => {
    busy.set("busy", 2);
    const { socket, errors } = page("busy");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    expect(errors).toEqual(["refused: unavailable", "refused: unavailable"]);
    expect(seen.get("busy")).toBe(3);
  }, 15_000);

  it("leaves a refusal about the sign-in to the page: no second handshake", async () => {
    const { socket, errors } = page("signed-out");
    await new Promise<void>((resolve) => socket.once("connect_error", () => resolve()));
    await new Promise((r) => setTimeout(r, 2500));
    expect(socket.connected).toBe(false);
    expect(errors).toEqual(["refused: unauthenticated"]);
    expect(seen.get("signed-out")).toBe(1);
  }, 15_000);

  it("still reconnects after the server closed the connection", async () => {
    const { socket } = page("closed");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const id = socket.id;
    server.sockets.sockets.get(id!)?.disconnect(true);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    expect(socket.id).not.toBe(id);
  }, 15_000);
});
