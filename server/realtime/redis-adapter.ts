import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import type { Logger } from "../log";
import type { PlenaryIo } from "./io";

export class RedisStartError extends Error {}

/**
 * Scale-out: with REDIS_URL every broadcast and room operation (emit to a room, disconnectSockets)
 * goes through a Redis stream, so N Plenary instances behind a load balancer act as one.
 */
export interface RedisAdapterHandle {
  /** Whether the Redis connection is up now (for /healthz). */
  ready(): boolean;
  /** The connected client, shared with the rate limiter's counters (the adapter reads streams on duplicates of it). */
  client: unknown;
  close(): Promise<void>;
}

export async function useRedisAdapter(io: PlenaryIo, url: string, log: Logger): Promise<RedisAdapterHandle> {
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: (retries) => Math.min(retries * 200, 3000) } });
  // By kind: a connection error's message can carry the URL, password included.
  client.on("error", (err: Error) => log.warn("redis error", { err }));
  try {
    await client.connect();
  } catch (err) {
    const where = (() => {
      try {
        const u = new URL(url);
        return `${u.hostname}:${u.port || 6379}`;
      } catch {
        return "(unparseable URL)";
      }
    })();
    throw new RedisStartError(`REDIS_URL: cannot connect to Redis at ${where} (${(err as Error).message})`);
  }
  io.adapter(createAdapter(client, { streamName: "plenary:socket.io" }));
  return {
    ready: () => client.isReady,
    client,
    close: async () => {
      await client.quit().catch(() => client.destroy());
    },
  };
}
