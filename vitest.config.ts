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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
