import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["{lib,server,db,app,scripts}/**/*.test.{ts,tsx}", "bench/**/*.test.ts"],
    exclude: ["node_modules", ".next", "e2e"],
    environment: "node",
    globalSetup: ["./scripts/ensure-build.ts"],
    pool: "forks",
    // A test's own work gets 30 s. Starting servers is setup: it happens in hooks, whose limit is
    // generous because a busy machine (load 13 on 2 cores) once needed over 30 s for one start;
    // tests whose subject is starting servers add a budget per start (server/testing/timeouts.ts).
    testTimeout: 30_000,
    hookTimeout: 240_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
