/**
 * Live captions against the real HTTP contract (the Zoom-compatible ingest URL), a real database
 * (PGlite, and Postgres when TEST_DATABASE_URL is set) and real socket.io viewers.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { captionCues, sessions, type SessionRow } from "../../db/schema";
import type { CaptionFeed, CaptionLine } from "../../lib/captions";
import { insertRecordingFile, updateRecordingFile } from "../streaming/queries";
import { Captioner } from "../testing/captioner";
import { filesContaining, tablesContaining } from "../testing/no-trace";
import { collect, connectClient, nextEvent, type TestSocket } from "../testing/clients";
import { testDatabaseKinds } from "../testing/databases";
import { createPerson, type TestPerson } from "../testing/people";
import { startTestServer, type TestServer } from "../testing/test-server";
import { rejection as refusal } from "../testing/refusal";

const DAY2 = "conversation-with-asd-acquisition"; // 08:45–09:30 Fri 24 May 2024, may be recorded
const DAY2_UNRECORDED = "admin-remarks-friday"; // 08:30–08:40 Fri; made unrecordable below
const DAY1 = "fms-planning"; // Chatham House, 09:45–11:15 Thu 23 May 2024
const NOW = new Date("2024-05-24T08:50:00-04:00");
const DAY1_NOW = new Date("2024-05-23T10:00:00-04:00");

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

describe.each(testDatabaseKinds())("live captions (%s)", (database) => {
  let server: TestServer;
  let day2: SessionRow;
  let day1: SessionRow;
  let organizer: TestPerson;
  let moderator: TestPerson;
  let panelist: TestPerson;
  let viewer: TestPerson;
  const logLines: string[] = [];
  const sockets: TestSocket[] = [];
  const app = () => server.services;
  const actorOf = async (p: TestPerson | null) => (p ? (await app().auth.resolveToken(p.token)).actor : null);
  const urlOf = async (slug: string) => (await app().captions.ingestUrl(await actorOf(organizer), (await app().agenda.findRow(slug))!)).url;
  const join = async (p: TestPerson | null, slug: string) => {
    const s = await connectClient(server.url, p ? { cookie: p.cookie } : {});
    sockets.push(s);
    expect((await s.emitWithAck("session:join", { slug })).ok).toBe(true);
    return s;
  };
  const raw = (url: string, init: RequestInit = {}) =>
    fetch(url, init).then(async (r) => ({ status: r.status, body: (await r.text()).trim(), headers: r.headers }));
  const post = (url: string, body: string, extra = "") =>
    raw(`${url}${extra}`, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8" }, body });

  // PGlite on disk, as the embedded default runs, so the no-trace check can read its files too.
  const dataDir = database === "pglite" ? fs.mkdtempSync(path.join(os.tmpdir(), "plenary-captions-")) : undefined;

  beforeAll(async () => {
    server = await startTestServer({
      now: NOW,
      database: dataDir ? { dataDir } : database,
      logSink: (l) => logLines.push(l),
      captions: { checkEveryMs: 3_600_000 },
    });
    await app().db.update(sessions).set({ recordingAllowed: false }).where(eq(sessions.slug, DAY2_UNRECORDED));
    day2 = (await app().agenda.findRow(DAY2))!;
    day1 = (await app().agenda.findRow(DAY1))!;
    organizer = await createPerson(app(), { name: "Olive Organizer", email: "olive@example.org", organizer: true });
    moderator = await createPerson(app(), {
      name: "Morgan Moderator",
      email: "morgan@example.org",
      roles: [
        { slug: DAY2, role: "moderator" },
        { slug: DAY1, role: "moderator" },
      ],
    });
    panelist = await createPerson(app(), { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: DAY2, role: "panelist" }] });
    viewer = await createPerson(app(), { name: "Remy Remote", email: "remy@example.org" });
  });

  afterEach(() => server.clock.set!(NOW));

  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives the ingest URL to organizers and that session's moderators only", async () => {
    for (const who of [organizer, moderator]) {
      const { url, seqUrl } = await app().captions.ingestUrl(await actorOf(who), day2);
      expect(url).toMatch(new RegExp(`^${server.url.replace(/[.]/g, "\\.")}/api/captions/${DAY2}\\?key=[A-Za-z0-9_-]{43}$`));
      expect(seqUrl).toBe(url.replace("?", "/seq?"));
    }
    expect((await refusal(app().captions.ingestUrl(await actorOf(panelist), day2))).code).toBe("forbidden");
    expect((await refusal(app().captions.ingestUrl(await actorOf(viewer), day2))).code).toBe("forbidden");
    expect((await refusal(app().captions.ingestUrl(null, day2))).code).toBe("unauthenticated");
    // A moderator of these two sessions is no one in another.
    const other = (await app().agenda.findRow("defense-industry-perspectives"))!;
    expect((await refusal(app().captions.ingestUrl(await actorOf(moderator), other))).code).toBe("forbidden");
  });

  it("answers exactly Zoom's status codes", async () => {
    const url = await urlOf(DAY2);
    const seqUrl = url.replace("?", "/seq?");
    expect((await post(url, "Good morning.", "&seq=1&lang=en-US")).status).toBe(200);
    // 403: wrong key, no key, missing or malformed seq, an unknown session.
    expect((await post(url.replace(/key=.{4}/, "key=AAAA"), "x", "&seq=2")).status).toBe(403);
    expect((await post(url.split("?")[0] + "?", "x", "&seq=2")).status).toBe(403);
    const noSeq = await post(url, "No seq.");
    expect(noSeq).toMatchObject({ status: 403, body: expect.stringMatching(/seq/) });
    expect((await post(url, "x", "&seq=two")).status).toBe(403);
    expect((await post(url.replace(DAY2, "no-such-session"), "x", "&seq=2")).status).toBe(403);
    // 405: other methods, with Allow.
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const r = await raw(`${url}&seq=2`, { method });
      expect({ method, status: r.status, allow: r.headers.get("allow") }).toEqual({ method, status: 405, allow: "POST" });
    }
    expect((await raw(seqUrl, { method: "POST", body: "x" })).status).toBe(405);
    // 413: a body over the limit.
    expect((await post(url, "a".repeat(5000), "&seq=2")).status).toBe(413);
    // 400: text the caption rule refuses, a bad language tag, and outside the session's window.
    expect((await post(url, " \u200b ", "&seq=2")).status).toBe(400);
    expect((await post(url, "Line\u0000one", "&seq=2")).body).toMatch(/control character \(U\+0000\)/);
    expect((await post(url, "x".repeat(501), "&seq=2")).body).toMatch(/at most 500 characters/);
    expect((await post(url, "x", "&seq=2&lang=not a tag")).status).toBe(400);
    server.clock.set!(new Date("2024-05-24T07:00:00-04:00"));
    expect(await post(url, "Too early.", "&seq=2")).toMatchObject({ status: 400, body: expect.stringMatching(/has not started/) });
    server.clock.set!(new Date("2024-05-24T10:30:00-04:00"));
    expect(await post(url, "Too late.", "&seq=2")).toMatchObject({ status: 400, body: expect.stringMatching(/has ended/) });
    server.clock.set!(NOW);
    // None of the refused ones counted.
    expect(await raw(seqUrl)).toMatchObject({ status: 200, body: "1" });
    expect((await raw(seqUrl.replace(/key=.{4}/, "key=AAAA"))).status).toBe(403);
  });

  it("shows a retried seq once, orders late seqs, keeps language tracks apart and breaks lines at \\n", async () => {
    const remy = await join(viewer, DAY2);
    const heard = collect<CaptionLine>(remy, "caption:added");
    const url = await urlOf(DAY2);
    const seqUrl = url.replace("?", "/seq?");
    const start = Number((await raw(`${seqUrl}&lang=en-US`)).body);
    const en = (n: number) => `&seq=${start + n}&lang=en-US`;
    expect((await post(url, "First line\nsecond line", en(1))).status).toBe(200);
    const retry = await post(url, "First line\nsecond line", en(1));
    expect(retry.status).toBe(200);
    expect(retry.headers.get("x-caption-duplicate")).toBe("1");
    // A later caption overtakes an earlier one on the network.
    expect((await post(url, "Third", en(3))).status).toBe(200);
    expect((await post(url, "Second", en(2))).status).toBe(200);
    // An interpreter's captioner on another track, with its own seqs.
    expect((await post(url, "Buenos días.", "&seq=1&lang=es-ES")).status).toBe(200);
    await settle();
    const enLines = heard.filter((l) => l.lang === "en-US");
    expect(enLines.map((l) => [l.seq - start, l.text])).toEqual([
      [1, "First line\nsecond line"],
      [3, "Third"],
      [2, "Second"],
    ]);
    expect(heard.filter((l) => l.lang === "es-ES").map((l) => [l.seq, l.text])).toEqual([[1, "Buenos días."]]);
    // The last accepted seq is the highest, per track.
    expect((await raw(`${seqUrl}&lang=en-US`)).body).toBe(String(start + 3));
    expect((await raw(`${seqUrl}&lang=es-ES`)).body).toBe("1");
    expect((await raw(`${seqUrl}&lang=fr-FR`)).body).toBe("0");
  });

  it("works with a captioner client that retries on timeout and resumes from /seq after a restart", async () => {
    const remy = await join(viewer, DAY2);
    const heard = collect<CaptionLine>(remy, "caption:added");
    const url = await urlOf(DAY2);
    // The first answer is lost on the way back: the client times out and resends the same seq.
    let lost = 0;
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === "POST" && lost++ === 0) throw new Error("socket hang up");
      return res;
    };
    const first = new Captioner({ url, lang: "de-DE", fetch: lossy });
    expect(await first.resume()).toBe(0);
    expect(await first.send("Erste Zeile.")).toMatchObject({ status: 200, attempts: 2 });
    expect(await first.send("Zweite Zeile.")).toMatchObject({ status: 200, attempts: 1 });
    // The software restarts and asks where to continue.
    const restarted = new Captioner({ url, lang: "de-DE" });
    expect(await restarted.resume()).toBe(2);
    expect((await restarted.send("Dritte Zeile.")).status).toBe(200);
    await settle();
    expect(heard.filter((l) => l.lang === "de-DE").map((l) => `${l.seq} ${l.text}`)).toEqual(["1 Erste Zeile.", "2 Zweite Zeile.", "3 Dritte Zeile."]);
  });

  it("rotates the URL: the old one is refused at once, the new one works", async () => {
    const old = await urlOf(DAY2);
    const seq = Number((await raw(`${old.replace("?", "/seq?")}&lang=it-IT`)).body) + 1;
    expect((await post(old, "Before.", `&seq=${seq}&lang=it-IT`)).status).toBe(200);
    expect((await refusal(app().captions.rotate(await actorOf(viewer), day2))).code).toBe("forbidden");
    const { url } = await app().captions.rotate(await actorOf(moderator), day2);
    expect(url).not.toBe(old);
    expect((await post(old, "After, old URL.", `&seq=${seq + 1}&lang=it-IT`)).status).toBe(403);
    expect((await raw(old.replace("?", "/seq?"))).status).toBe(403);
    expect((await post(url, "After, new URL.", `&seq=${seq + 1}&lang=it-IT`)).status).toBe(200);
    expect(await urlOf(DAY2)).toBe(url);
    const audit = await app().audit.list({ limit: 20 });
    expect(audit.some((e) => e.action === "caption:rotate" && e.outcome === "ok")).toBe(true);
  });

  it("takes the socket command through the same service: one track, one seq, same viewers", async () => {
    const staff = await join(moderator, DAY2);
    const remy = await join(viewer, DAY2);
    const url = await urlOf(DAY2);
    const seqUrl = `${url.replace("?", "/seq?")}&lang=pt-BR`;
    expect((await post(url, "From CART.", "&seq=7&lang=pt-BR")).status).toBe(200);
    const heard = nextEvent<CaptionLine>(remy, "caption:added");
    const pushed = await staff.emitWithAck("caption:push", { slug: DAY2, text: "Typed backstage.", lang: "pt-BR" });
    expect(pushed).toMatchObject({ ok: true, data: { seq: 8, lang: "pt-BR", text: "Typed backstage." } });
    expect(await heard).toMatchObject({ seq: 8, lang: "pt-BR", text: "Typed backstage." });
    expect((await raw(seqUrl)).body).toBe("8");
    expect(await remy.emitWithAck("caption:push", { slug: DAY2, text: "Not the captioner." })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await staff.emitWithAck("caption:push", { slug: DAY2, text: "\u200b" })).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });

  it("tells viewers when a feed with a captioner goes quiet for 30 s, and clears when captions resume", async () => {
    const remy = await join(viewer, DAY2);
    const url = await urlOf(DAY2);
    const seqUrl = `${url.replace("?", "/seq?")}&lang=en-US`;
    let seq = Number((await raw(seqUrl)).body);
    expect((await post(url, "Still here.", `&seq=${++seq}`)).status).toBe(200);
    const state = await remy.emitWithAck("caption:state", { slug: DAY2 });
    expect(state).toMatchObject({ ok: true, data: { feed: { state: "live" }, can: { manage: false, push: false } } });
    // The simulated clock runs on in real time: quiet is counted from the caption's own time.
    const sent = server.clock.now().getTime();
    // 25 s of quiet: nothing yet.
    server.clock.set!(new Date(sent + 25_000));
    expect(await app().captions.checkFeeds()).toBe(0);
    const stalled = nextEvent<CaptionFeed>(remy, "caption:feed");
    server.clock.set!(new Date(sent + 31_000));
    expect(await app().captions.checkFeeds()).toBe(1);
    expect(await stalled).toMatchObject({ slug: DAY2, state: "stalled" });
    // Announced once, whichever instance sweeps next.
    expect(await app().captions.checkFeeds()).toBe(0);
    const resumed = nextEvent<CaptionFeed>(remy, "caption:feed");
    expect((await post(url, "Back again.", `&seq=${seq + 1}`)).status).toBe(200);
    expect(await resumed).toMatchObject({ slug: DAY2, state: "live" });
    // A session that never had a captioner is never "unavailable".
    const quiet = (await app().agenda.findRow(DAY2_UNRECORDED))!;
    expect((await app().captions.feed(quiet)).state).toBe("idle");
  });

  it("keeps an on-record, recordable session's captions as WebVTT: organizers first, everyone once published", async () => {
    const url = await urlOf(DAY2);
    const seq = Number((await raw(`${url.replace("?", "/seq?")}&lang=nl-NL`)).body);
    server.clock.set!(new Date("2024-05-24T08:52:03.250-04:00"));
    expect((await post(url, "Goedemorgen --> allemaal.", `&seq=${seq + 1}&lang=nl-NL`)).status).toBe(200);
    server.clock.set!(new Date("2024-05-24T08:52:05-04:00"));
    expect((await post(url, "Tweede regel\nmet een breuk.", `&seq=${seq + 2}&lang=nl-NL`)).status).toBe(200);
    const vtt = `${server.url}/sessions/${DAY2}/captions.nl-NL.vtt`;
    expect((await raw(vtt)).status).toBe(401);
    expect((await raw(vtt, { headers: { cookie: moderator.cookie } })).status).toBe(403);
    const got = await raw(vtt, { headers: { cookie: organizer.cookie } });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    // Timed from the session's start (08:45): 7 min 3.25 s in, until the next cue.
    expect(got.body).toMatch(/^WEBVTT\n/);
    // (The simulated clock keeps running, so a few milliseconds more.)
    expect(got.body).toMatch(new RegExp(String.raw`\n${seq + 1}\n00:07:03\.(2[5-9]|[3-9])\d+ --> 00:07:05\.\d{3}\nGoedemorgen → allemaal\.\n`));
    expect(got.body).toContain("Tweede regel\nmet een breuk.");
    expect((await refusal(app().captions.setPublished(await actorOf(moderator), day2, true))).code).toBe("forbidden");
    await app().captions.setPublished(await actorOf(organizer), day2, true);
    expect((await raw(vtt)).status).toBe(200);
    expect((await raw(`${server.url}/sessions/${DAY2}/captions.sv-SE.vtt`)).status).toBe(404);
  });

  it("gives each recording the captions sent while it ran, timed from its start, to whoever may watch it", async () => {
    const url = await urlOf(DAY2);
    const lang = "fr-FR";
    const at = (t: string) => server.clock.set!(new Date(`2024-05-24T${t}-04:00`));
    const seq = Number((await raw(`${url.replace("?", "/seq?")}&lang=${lang}`)).body);
    at("08:53:00");
    expect((await post(url, "Avant l'enregistrement.", `&seq=${seq + 1}&lang=${lang}`)).status).toBe(200);
    const id = `rec_${randomBytes(4).toString("hex")}`;
    await insertRecordingFile(app().db, {
      id,
      sessionId: day2.id,
      backend: "recorder",
      identity: null,
      startedBy: null,
      at: new Date("2024-05-24T08:54:00-04:00"),
    });
    at("08:54:02.500");
    expect((await post(url, "Pendant l'enregistrement.", `&seq=${seq + 2}&lang=${lang}`)).status).toBe(200);
    await updateRecordingFile(app().db, id, { status: "ready", path: `${id}.webm`, endedAt: new Date("2024-05-24T08:55:00-04:00") });
    at("08:56:00");
    expect((await post(url, "Après l'enregistrement.", `&seq=${seq + 3}&lang=${lang}`)).status).toBe(200);

    // The recordings list names the track; its URL serves only the cues inside the recording.
    const list = await app().streaming.recordings.list(await actorOf(organizer), day2);
    const track = list.recordings.find((r) => r.id === id)!.captions.find((c) => c.lang === lang)!;
    expect(track).toEqual({ lang, label: "French (France) (fr-FR)", url: `/sessions/${DAY2}/captions.${lang}.vtt?recording=${id}` });
    const got = await raw(`${server.url}${track.url}`, { headers: { cookie: organizer.cookie } });
    expect(got.status).toBe(200);
    expect(got.body).toMatch(new RegExp(String.raw`\n${seq + 2}\n00:00:02\.5\d\d --> `));
    expect(got.body).not.toContain("Avant");
    expect(got.body).not.toContain("Après");
    // An attendee may have it once the recording is published, not before; a made-up recording is 404.
    expect((await raw(`${server.url}${track.url}`, { headers: { cookie: viewer.cookie } })).status).toBe(403);
    await updateRecordingFile(app().db, id, { publishedAt: new Date() });
    expect((await raw(`${server.url}${track.url}`, { headers: { cookie: viewer.cookie } })).status).toBe(200);
    expect((await raw(`${server.url}/sessions/${DAY2}/captions.${lang}.vtt?recording=rec_nothere`, { headers: { cookie: organizer.cookie } })).status).toBe(
      404,
    );
    const malformed = await raw(`${server.url}/sessions/${DAY2}/captions.${lang}.vtt?recording=${encodeURIComponent("../x")}`, {
      headers: { cookie: organizer.cookie },
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error.code).toBe("invalid_payload");
  });

  it("keeps nothing for an on-record session that may not be recorded", async () => {
    const session = (await app().agenda.findRow(DAY2_UNRECORDED))!;
    server.clock.set!(new Date("2024-05-24T08:35:00-04:00"));
    const url = await urlOf(DAY2_UNRECORDED);
    expect((await post(url, "Not kept.", "&seq=1")).status).toBe(200);
    expect(await app().db.select().from(captionCues).where(eq(captionCues.sessionId, session.id))).toEqual([]);
    expect((await raw(`${server.url}/sessions/${DAY2_UNRECORDED}/captions.en-US.vtt`, { headers: { cookie: organizer.cookie } })).status).toBe(404);
  });

  it("Chatham House: a Day 1 caption reaches the room and leaves no trace in the database, the log or a download", async () => {
    server.clock.set!(DAY1_NOW);
    const marker = `Chatham${randomBytes(6).toString("hex")}`;
    const room = await join(null, DAY1);
    const heard = nextEvent<CaptionLine>(room, "caption:added");
    const url = await urlOf(DAY1);
    const seqUrl = url.replace("?", "/seq?");
    expect((await post(url, `The speaker said ${marker}.`, "&seq=1")).status).toBe(200);
    expect(await heard).toMatchObject({ slug: DAY1, text: `The speaker said ${marker}.` });
    // The socket path too, and refusals that carry the text.
    const staff = await join(moderator, DAY1);
    expect((await staff.emitWithAck("caption:push", { slug: DAY1, text: `Typed ${marker}` })).ok).toBe(true);
    expect((await post(url, `${marker}\u0000`, "&seq=3")).status).toBe(400);
    expect((await post(url, `${marker} `.repeat(300), "&seq=3")).status).toBe(413);
    expect((await post(url.replace(/key=.{4}/, "key=AAAA"), marker, "&seq=3")).status).toBe(403);
    expect((await raw(seqUrl)).body).toBe("2");
    // No download, for anyone.
    for (const cookie of [organizer.cookie, moderator.cookie, undefined]) {
      const r = await raw(`${server.url}/sessions/${DAY1}/captions.en-US.vtt`, cookie ? { headers: { cookie } } : {});
      expect(r.status).toBe(404);
      expect(r.body).not.toContain(marker);
    }
    expect((await refusal(app().captions.setPublished(await actorOf(organizer), day1, true))).code).toBe("forbidden");
    await settle();
    // Every table, every row, as text.
    const scan = await tablesContaining(app(), marker);
    expect(scan.tables).toBeGreaterThan(10);
    expect(scan.found).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(marker))).toEqual([]);
    // Every file of the embedded database (data, WAL) after a checkpoint, and the recordings folder.
    if (dataDir) {
      await app().db.execute(sql`checkpoint`);
      const files = filesContaining(dataDir, marker);
      expect(files.files).toBeGreaterThan(100);
      expect(files.found).toEqual([]);
    }
    const recordings = app().config.recording?.dir;
    if (recordings && fs.existsSync(recordings)) expect(filesContaining(recordings, marker).found).toEqual([]);
  });
});
