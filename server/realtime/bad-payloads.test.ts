/**
 * Every socket command, sent every kind of malformed payload by signed-in organizers (who pass every
 * role check, so a payload gets as far as it can): each is refused with a stable code other
 * than `internal` and a message a person can read, the server logs no fault, the socket stays
 * connected, and nothing is written.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandSchemas } from "../../lib/realtime/contract";
import { errorStatus } from "../errors";
import { connectClient, untyped, type TestSocket } from "../testing/clients";
import { createPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";

const SLUG = "defense-industry-perspectives";

function nested(depth: number): unknown {
  let v: unknown = { slug: SLUG };
  for (let i = 0; i < depth; i++) v = { slug: SLUG, inner: v, list: [i] };
  return v;
}

const payloads: Array<[string, unknown]> = [
  ["nothing", undefined],
  ["null", null],
  ["a list", []],
  ["text", "fms"],
  ["a number", 42],
  ["true", true],
  ["an empty object", {}],
  ["a numeric slug", { slug: 5 }],
  ["a path as slug", { slug: "../../etc/passwd" }],
  ["a 10,000-character slug", { slug: "x".repeat(10_000) }],
  ["wrong types everywhere", { slug: SLUG, key: {}, questionId: "not-a-uuid", pollId: [], expectedVersion: "1", text: 7, action: "approve", up: "yes" }],
  ["U+0000 in every text", { slug: SLUG, key: "k\u0000", text: "\u0000\u0000\u0000", query: "\u0000", code: "\u0000" }],
  ["a prototype key", JSON.parse('{"__proto__":{"isOrganizer":true},"constructor":{"prototype":{"x":1}},"slug":"defense-industry-perspectives"}')],
  ["deep nesting", nested(100)],
];

describe("malformed payloads on every socket command", () => {
  let server: TestServer;
  /** One organizer per payload: limits are per person and action, so none is spent by the sweep. */
  const sockets: TestSocket[] = [];
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ now: "2024-05-24T10:00:00-04:00", logSink: (l) => logs.push(l) });
    for (const [i] of payloads.entries()) {
      const organizer = await createPerson(server.services, { name: `Organizer ${i}`, email: `organizer${i}@example.org`, organizer: true });
      sockets.push(await connectClient(server.url, { cookie: organizer.cookie }));
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  /** Rows in the tables commands write (not the audit log: refusals by role are written there on purpose). */
  const rows = async () => {
    const r = await server.services.db.execute(sql`
      SELECT (SELECT count(*) FROM questions) + (SELECT count(*) FROM question_votes) + (SELECT count(*) FROM qa_actions)
           + (SELECT count(*) FROM polls) + (SELECT count(*) FROM poll_responses) + (SELECT count(*) FROM panel_notes)
           + (SELECT count(*) FROM check_ins) AS n`);
    return Number((r as unknown as { rows: Array<{ n: number }> }).rows[0].n);
  };

  it("refuses each the schema does not take as invalid_payload, in words; writes nothing; logs no fault", async () => {
    const before = await rows();
    const codes = new Set(Object.keys(errorStatus));
    let refusedBySchema = 0;
    for (const [event, schema] of Object.entries(commandSchemas)) {
      for (const [i, [what, payload]] of payloads.entries()) {
        const ack = await untyped(sockets[i])
          .timeout(5000)
          .emitWithAck(event, payload)
          .catch((err: unknown) => ({ ok: "no answer", error: { code: String(err), message: "" } }));
        const r = ack as { ok: unknown; error?: { code: string; message: string } };
        const label = `${event} with ${what}`;
        if (!(schema as { safeParse(v: unknown): { success: boolean } }).safeParse(payload).success) {
          // What the contract does not take never reaches a service.
          refusedBySchema++;
          expect({ label, ok: r.ok, code: r.error?.code }).toEqual({ label, ok: false, code: "invalid_payload" });
          expect(r.error!.message.length, label).toBeGreaterThan(10);
          expect(r.error!.message.length, label).toBeLessThan(400);
        } else if (r.ok !== true) {
          // A payload the contract takes (a valid slug among junk fields): refused, if at all, by a rule.
          expect(codes.has(r.error!.code), `${label}: ${r.error?.code}`).toBe(true);
          expect(r.error!.code, `${label}: ${r.error?.message}`).not.toBe("internal");
        }
      }
    }
    expect(refusedBySchema).toBeGreaterThan(Object.keys(commandSchemas).length * payloads.length * 0.8);
    expect(sockets.every((s) => s.connected)).toBe(true);
    expect(await rows()).toBe(before);
    expect(logs.filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);
  }, 120_000);
});
