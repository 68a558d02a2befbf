import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

describe("migrations", () => {
  it("db/migrations holds every change of the schema (no schema edit without its migration)", () => {
    // drizzle-kit compares the schema with the last snapshot; run it on a copy so nothing is written here.
    const copy = path.join("tools", `migcheck-${process.pid}`);
    fs.rmSync(path.join(root, copy), { recursive: true, force: true });
    fs.cpSync(path.join(root, "db/migrations"), path.join(root, copy), { recursive: true });
    try {
      const out = execFileSync(
        path.join(root, "node_modules/.bin/drizzle-kit"),
        ["generate", "--dialect", "postgresql", "--schema", "./db/schema.ts", "--out", `./${copy}`],
        { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      expect(out).toContain("No schema changes");
      expect(
        fs
          .readdirSync(path.join(root, copy))
          .filter((f) => f.endsWith(".sql"))
          .sort(),
      ).toEqual(
        fs
          .readdirSync(path.join(root, "db/migrations"))
          .filter((f) => f.endsWith(".sql"))
          .sort(),
      );
    } finally {
      fs.rmSync(path.join(root, copy), { recursive: true, force: true });
    }
  }, 60_000);
});
