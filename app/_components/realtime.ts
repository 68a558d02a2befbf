"use client";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/contract";

export type PlenarySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: PlenarySocket | undefined;

/** One socket per tab, shared by every island on the page. */
export function getSocket(): PlenarySocket {
  socket ??= io({ path: "/socket.io", withCredentials: true });
  return socket;
}
