import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../app";

/**
 * The rule of server/testing/timeouts.ts, held for every test file: a test that starts a server in
 * its body declares `startsInTest(n)` as its timeout, so a slow start on a busy machine is budgeted
 * instead of eating the test's own 30 s (as "refuses out of the window with 403…" once did).
 */
const STARTS = /\b(startTestServer|startChildServer|startPlenary|runMain)\(/g;

function testFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) testFiles(full, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** The end of the call whose "(" is at `open`, skipping strings, template text, comments and escapes. */
function callEnd(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      i++;
    } else if (c === '"' || c === "'" || c === "`") {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === "\\") i++;
    } else if (c === "/" && src[i + 1] === "/") {
      i = src.indexOf("\n", i);
    } else if (c === "(") {
      depth++;
    } else if (c === ")" && --depth === 0) {
      return i + 1;
    }
  }
  throw new Error("unbalanced call");
}

/** Each `it(…)` / `test(…)` call of a file that starts servers in its body, with the timeout it declares. */
export function testsStartingServers(src: string): Array<{ name: string; starts: number; timeout: string | null }> {
  const found: Array<{ name: string; starts: number; timeout: string | null }> = [];
  for (const m of src.matchAll(/(?<![\w.])(?:it|test)(?:\.\w+(?:\([^)]*\))?)*\(/g)) {
    const open = m.index + m[0].length - 1;
    const call = src.slice(m.index, callEnd(src, open));
    const starts = call.match(STARTS)?.length ?? 0;
    if (!starts) continue;
    const timeout = /\}\s*,\s*(startsInTest\([^)]*\))\s*,?\s*\)$/.exec(call)?.[1] ?? null;
    found.push({ name: /\(\s*["'`]([^"'`]*)/.exec(call)?.[1] ?? "?", starts, timeout });
  }
  return found;
}

describe("test timeouts on a busy machine", () => {
  it("finds a server started in a test body, and the budget it declares", () => {
    const src = [
      'it("starts one", async () => {\n  const s = await startTestServer({ now: "x (y)" });\n});',
      'it("starts two", async () => {\n  await startTestServer();\n  await startTestServer();\n}, startsInTest(2));',
      'it("starts none", async () => {\n  expect(1).toBe(1);\n});',
    ].join("\n");
    expect(testsStartingServers(src)).toEqual([
      { name: "starts one", starts: 1, timeout: null },
      { name: "starts two", starts: 2, timeout: "startsInTest(2)" },
    ]);
  });

  it("every test that starts servers in its body declares a budget per start", () => {
    const offenders: string[] = [];
    for (const file of testFiles(projectRoot)) {
      if (file === fileURLToPath(import.meta.url)) continue;
      for (const t of testsStartingServers(fs.readFileSync(file, "utf8"))) {
        if (!t.timeout)
          offenders.push(`${path.relative(projectRoot, file)}: "${t.name}" starts ${t.starts} server(s) in its body without startsInTest(${t.starts})`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
