/**
 * A page that loads while the server cannot read the session (a fault, here a table taken away and
 * put back) says so in the server's words, and loads by itself once the fault has passed: the Q&A
 * engine and the polls engine of the pages, on a real server and database. Before, the Q&A view
 * stayed refused and the audience's polls said "Loading polls…" until the next reconnect.
 */
import { sql } from "drizzle-orm";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followPolls, initialPolls, reducePolls, type PollsState } from "../../lib/client/polls";
import type { PlenarySocket } from "../../lib/client/socket";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { browserLike, waitFor } from "./testing";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Friday, on the record
const NOW = "2024-05-24T10:00:00-04:00";
const FAULT = "Something went wrong on the server. Try again; if it persists, tell the organizers.";

describe("a sync that meets a fault on the server", () => {
  let server: TestServer;
  let ann: TestPerson;
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    server = await startTestServer({ now: NOW });
    ann = await createPerson(server.services, { name: "Ann Fault", email: "ann-fault@example.org" });
  });
  afterAll(async () => {
    for (const c of cleanups) c();
    await server?.close();
  });

  /** Takes a table away while `during` runs (every read of it fails), then puts it back. */
  async function without(table: "questions" | "polls", during: () => Promise<void>) {
    await server.services.db.execute(sql.raw(`ALTER TABLE ${table} RENAME TO ${table}_away`));
    try {
      await during();
    } finally {
      await server.services.db.execute(sql.raw(`ALTER TABLE ${table}_away RENAME TO ${table}`));
    }
  }

  it("the Q&A view shows the refusal, then goes live by itself", async () => {
    const page = browserLike(server.url, { cookie: ann.cookie, slug: SLUG, ackTimeoutMs: 1000 });
    cleanups.push(page.close);
    await without("questions", async () => {
      await waitFor(() => page.client.getState().status === "refused", 10_000, "the refusal");
      expect(page.client.getState().refusal).toBe(FAULT);
    });
    await waitFor(() => page.client.getState().status === "live", 15_000, "the view to load after the fault");
    expect(page.client.getState().refusal).toBeNull();
    expect(page.client.getState().view).toBe("audience");
  });

  it("the polls view shows the refusal, then loads by itself", async () => {
    const socket: PlenarySocket = connect(server.url, {
      transports: ["websocket"],
      extraHeaders: { origin: server.url, cookie: ann.cookie },
      forceNew: true,
    });
    cleanups.push(() => socket.close());
    let state: PollsState = initialPolls;
    let stop = () => {};
    cleanups.push(() => stop());
    await without("polls", async () => {
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      stop = followPolls(
        socket,
        SLUG,
        undefined,
        (a) => (state = reducePolls(state, a)),
        () => state,
      );
      await waitFor(() => state.error !== null, 10_000, "the refusal");
      expect(state.error).toBe(FAULT);
      expect(state.snapshot).toBe(false);
    });
    await waitFor(() => state.snapshot, 15_000, "the polls to load after the fault");
    expect(state.error).toBeNull();
    expect(state.can.answer).toBe(true);
  });
});
