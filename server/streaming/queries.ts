/** The only file of server/streaming that touches drizzle. */
import { and, asc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  handRaises,
  livekitWebhookEvents,
  recordingFiles,
  sessionStreams,
  sessions,
  streamAttendance,
  streamRecordings,
  streamRoomsFinished,
  users,
  type HandRaiseRow,
  type RecordingFileRow,
  type SessionRow,
  type SessionStreamRow,
  type StreamRecordingRow,
} from "../../db/schema";
import type { StreamState } from "../../lib/streaming";

type Db = Pick<Database, "select" | "insert" | "update" | "delete" | "execute">;

/** Every streamed session: each hears when the media server behind streaming changes. */
export async function listStreamedSessions(db: Db): Promise<SessionRow[]> {
  return db.select().from(sessions).where(eq(sessions.streamed, true)).orderBy(asc(sessions.startsAt));
}

// ── Stream state ───────────────────────────────────────────────────────────────────────────────────

export async function findStream(db: Db, sessionId: string): Promise<SessionStreamRow | undefined> {
  const [row] = await db.select().from(sessionStreams).where(eq(sessionStreams.sessionId, sessionId));
  return row;
}

/** Moves the stream to `state`; returns the new row, or undefined when it already was there. */
export async function setStreamState(db: Db, sessionId: string, state: StreamState, now: Date): Promise<SessionStreamRow | undefined> {
  const started = state === "live" ? now : null;
  const ended = state === "ended" ? now : null;
  const [row] = await db
    .insert(sessionStreams)
    .values({ sessionId, state, startedAt: started, endedAt: ended, updatedAt: now })
    .onConflictDoUpdate({
      target: sessionStreams.sessionId,
      set: {
        state,
        startedAt: state === "live" ? now : sql`${sessionStreams.startedAt}`,
        endedAt: state === "ended" ? now : null,
        version: sql`${sessionStreams.version} + 1`,
        updatedAt: now,
      },
      setWhere: ne(sessionStreams.state, state),
    })
    .returning();
  return row;
}

/** Bumps the version so clients take the next fact (a recording started or stopped). */
export async function touchStream(db: Db, sessionId: string, now: Date): Promise<SessionStreamRow> {
  const [row] = await db
    .insert(sessionStreams)
    .values({ sessionId, updatedAt: now })
    .onConflictDoUpdate({ target: sessionStreams.sessionId, set: { version: sql`${sessionStreams.version} + 1`, updatedAt: now } })
    .returning();
  return row;
}

// ── Recordings ─────────────────────────────────────────────────────────────────────────────────────

export async function activeRecordings(db: Db, sessionId: string): Promise<StreamRecordingRow[]> {
  return db
    .select()
    .from(streamRecordings)
    .where(and(eq(streamRecordings.sessionId, sessionId), eq(streamRecordings.status, "active")));
}

/** Records an egress once; a late `egress_started` after its `egress_ended` changes nothing. */
export async function insertRecording(
  db: Db,
  row: { egressId: string; sessionId: string; status: StreamRecordingRow["status"]; startedBy?: string | null; at: Date },
): Promise<boolean> {
  const inserted = await db
    .insert(streamRecordings)
    .values({
      egressId: row.egressId,
      sessionId: row.sessionId,
      status: row.status,
      startedBy: row.startedBy ?? null,
      startedAt: row.at,
      endedAt: row.status === "active" ? null : row.at,
    })
    .onConflictDoNothing()
    .returning({ egressId: streamRecordings.egressId });
  return inserted.length > 0;
}

/** Ends an egress (inserting it ended when its start was never seen); true when it was active. */
export async function endRecording(db: Db, egressId: string, sessionId: string, at: Date): Promise<boolean> {
  const [before] = await db.select({ status: streamRecordings.status }).from(streamRecordings).where(eq(streamRecordings.egressId, egressId));
  if (!before) {
    await insertRecording(db, { egressId, sessionId, status: "ended", at });
    return false;
  }
  if (before.status !== "active") return false;
  await db.update(streamRecordings).set({ status: "ended", endedAt: at }).where(eq(streamRecordings.egressId, egressId));
  return true;
}

// ── Recording files ────────────────────────────────────────────────────────────────────────────────

export async function insertRecordingFile(
  db: Db,
  row: { id: string; sessionId: string; backend: RecordingFileRow["backend"]; identity: string | null; startedBy: string | null; at: Date },
): Promise<void> {
  await db.insert(recordingFiles).values({ ...row, status: "recording", startedAt: row.at });
}

export async function findRecordingFile(db: Db, id: string): Promise<RecordingFileRow | undefined> {
  const [row] = await db.select().from(recordingFiles).where(eq(recordingFiles.id, id));
  return row;
}

export async function findRecordingFileByIdentity(db: Db, identity: string): Promise<RecordingFileRow | undefined> {
  const [row] = await db.select().from(recordingFiles).where(eq(recordingFiles.identity, identity));
  return row;
}

/** Recordings started and not yet stopped (their REC row may still wait for LiveKit's webhook). */
export async function runningRecordingFiles(db: Db, sessionId: string): Promise<RecordingFileRow[]> {
  return db
    .select()
    .from(recordingFiles)
    .where(and(eq(recordingFiles.sessionId, sessionId), eq(recordingFiles.status, "recording")));
}

export async function updateRecordingFile(
  db: Db,
  id: string,
  patch: Partial<Pick<RecordingFileRow, "status" | "path" | "bytes" | "durationMs" | "error" | "endedAt" | "publishedAt" | "publishedBy">>,
): Promise<RecordingFileRow | undefined> {
  const [row] = await db.update(recordingFiles).set(patch).where(eq(recordingFiles.id, id)).returning();
  return row;
}

export async function listRecordingFiles(db: Db, sessionId: string, publishedOnly: boolean): Promise<RecordingFileRow[]> {
  const where = publishedOnly
    ? and(eq(recordingFiles.sessionId, sessionId), eq(recordingFiles.status, "ready"), sql`${recordingFiles.publishedAt} IS NOT NULL`)
    : eq(recordingFiles.sessionId, sessionId);
  return db.select().from(recordingFiles).where(where).orderBy(asc(recordingFiles.startedAt));
}

/** The session's most recent recording (what its REC control reports on). */
export async function latestRecordingFile(db: Db, sessionId: string): Promise<RecordingFileRow | undefined> {
  const [row] = await db
    .select()
    .from(recordingFiles)
    .where(eq(recordingFiles.sessionId, sessionId))
    .orderBy(sql`${recordingFiles.startedAt} DESC`)
    .limit(1);
  return row;
}

export async function findRecordingStatus(db: Db, egressId: string): Promise<StreamRecordingRow["status"] | undefined> {
  const [row] = await db.select({ status: streamRecordings.status }).from(streamRecordings).where(eq(streamRecordings.egressId, egressId));
  return row?.status;
}

// ── Webhook events ─────────────────────────────────────────────────────────────────────────────────

export type WebhookClaim = "claimed" | "done" | "busy";

const leaseEnd = (leaseMs: number) => sql`now() + ${leaseMs} * interval '1 millisecond'`;

/**
 * Claims an event for this delivery: `claimed` when it is new, or when an earlier claim's lease ran
 * out (the process handling it died); `done` when it was handled already; `busy` while another
 * delivery handles it. The lease runs on the database's clock, which every instance shares.
 */
export async function claimWebhookEvent(db: Db, e: { id: string; event: string; token: string; leaseMs: number }): Promise<WebhookClaim> {
  const claimed = await db
    .insert(livekitWebhookEvents)
    .values({ id: e.id, event: e.event, status: "processing", claimToken: e.token, claimedUntil: leaseEnd(e.leaseMs) })
    .onConflictDoUpdate({
      target: livekitWebhookEvents.id,
      set: { claimToken: e.token, claimedUntil: leaseEnd(e.leaseMs) },
      setWhere: and(eq(livekitWebhookEvents.status, "processing"), sql`${livekitWebhookEvents.claimedUntil} < now()`),
    })
    .returning({ id: livekitWebhookEvents.id });
  if (claimed.length > 0) return "claimed";
  const [row] = await db.select({ status: livekitWebhookEvents.status }).from(livekitWebhookEvents).where(eq(livekitWebhookEvents.id, e.id));
  return row?.status === "done" ? "done" : "busy";
}

/** Keeps this delivery's claim while it works; false when the claim is no longer its own. */
export async function renewWebhookClaim(db: Db, id: string, token: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(livekitWebhookEvents)
    .set({ claimedUntil: leaseEnd(leaseMs) })
    .where(and(eq(livekitWebhookEvents.id, id), eq(livekitWebhookEvents.claimToken, token), eq(livekitWebhookEvents.status, "processing")))
    .returning({ id: livekitWebhookEvents.id });
  return rows.length > 0;
}

/** Handled: every later delivery of this id is a duplicate. */
export async function finishWebhookEvent(db: Db, id: string, token: string): Promise<void> {
  await db
    .update(livekitWebhookEvents)
    .set({ status: "done", claimToken: null, claimedUntil: null })
    .where(and(eq(livekitWebhookEvents.id, id), eq(livekitWebhookEvents.claimToken, token)));
}

/** Handling failed: let LiveKit's retry be handled. */
export async function releaseWebhookClaim(db: Db, id: string, token: string): Promise<void> {
  await db
    .delete(livekitWebhookEvents)
    .where(and(eq(livekitWebhookEvents.id, id), eq(livekitWebhookEvents.claimToken, token), eq(livekitWebhookEvents.status, "processing")));
}

export async function deleteWebhookEventsBefore(db: Db, before: Date): Promise<void> {
  await db.delete(livekitWebhookEvents).where(sql`${livekitWebhookEvents.receivedAt} < ${before}`);
}

// ── Attendance ─────────────────────────────────────────────────────────────────────────────────────

export interface AttendanceEvent {
  participantSid: string;
  /** LiveKit's room sid: the instance of the session's room this connection belongs to. */
  roomSid: string;
  sessionId: string;
  identity: string;
  role: (typeof streamAttendance.$inferInsert)["role"];
  at: Date;
}

/**
 * Runs a change to a session's attendance in one transaction with its version bumped first: the bump
 * takes the session's stream row lock, so the changes commit in version order
 * (`sessionStreams.attendanceVersion`).
 */
function changeAttendance(db: Database, sessionId: string, change: (tx: Db) => Promise<unknown>): Promise<void> {
  return db.transaction(async (tx) => {
    await tx
      .insert(sessionStreams)
      .values({ sessionId, attendanceVersion: 1 })
      .onConflictDoUpdate({ target: sessionStreams.sessionId, set: { attendanceVersion: sql`${sessionStreams.attendanceVersion} + 1` } });
    await change(tx);
  });
}

/** A join that arrives after its leave, or after its room instance finished, is not counted. */
export async function attendanceJoined(db: Database, e: AttendanceEvent): Promise<void> {
  // One statement, so a finish recorded between a check and the insert cannot leave the row open.
  await changeAttendance(db, e.sessionId, (tx) =>
    tx.execute(sql`
    insert into ${streamAttendance} (participant_sid, session_id, room_sid, identity, role, joined_at)
    select ${e.participantSid}, ${e.sessionId}::uuid, ${e.roomSid}, ${e.identity}, ${e.role}, ${e.at.toISOString()}::timestamptz
    where not exists (select 1 from ${streamRoomsFinished} where ${streamRoomsFinished.roomSid} = ${e.roomSid})
    on conflict (participant_sid) do nothing`),
  );
}

export async function attendanceLeft(db: Database, e: AttendanceEvent): Promise<void> {
  await changeAttendance(db, e.sessionId, (tx) =>
    tx
      .insert(streamAttendance)
      .values({ participantSid: e.participantSid, sessionId: e.sessionId, roomSid: e.roomSid, identity: e.identity, role: e.role, leftAt: e.at })
      .onConflictDoUpdate({ target: streamAttendance.participantSid, set: { leftAt: sql`coalesce(${streamAttendance.leftAt}, excluded.left_at)` } }),
  );
}

/**
 * Ends the connections of one room instance, and remembers it finished. Rows written before rooms
 * were told apart (room sid '') belong to no known instance: the session's next finish ends them too.
 */
export async function attendanceRoomFinished(db: Database, sessionId: string, roomSid: string, at: Date): Promise<void> {
  await changeAttendance(db, sessionId, async (tx) => {
    await tx
      .update(streamAttendance)
      .set({ leftAt: at })
      .where(
        and(
          eq(streamAttendance.sessionId, sessionId),
          or(eq(streamAttendance.roomSid, roomSid), eq(streamAttendance.roomSid, "")),
          isNull(streamAttendance.leftAt),
        ),
      );
    await tx.insert(streamRoomsFinished).values({ roomSid, sessionId, finishedAt: at }).onConflictDoNothing();
  });
}

/**
 * Who is connected now, and the attendance version of that count. One statement, so one snapshot:
 * the version read is that of the last change the count includes.
 */
export async function countAttendance(db: Db, sessionId: string): Promise<{ viewers: number; publishers: number; version: number }> {
  const res = await db.execute(sql`
    select coalesce((select ${sessionStreams.attendanceVersion} from ${sessionStreams} where ${sessionStreams.sessionId} = ${sessionId}::uuid), 0) as version,
           count(*) filter (where ${streamAttendance.role} = 'viewer')::int as viewers,
           count(*) filter (where ${streamAttendance.role} in ('publisher', 'speaker'))::int as publishers
      from ${streamAttendance}
     where ${streamAttendance.sessionId} = ${sessionId}::uuid and ${streamAttendance.leftAt} is null and ${streamAttendance.joinedAt} is not null`);
  const [row] = (res as { rows: Array<{ version: number; viewers: number; publishers: number }> }).rows;
  return { viewers: Number(row.viewers), publishers: Number(row.publishers), version: Number(row.version) };
}

// ── Raised hands ───────────────────────────────────────────────────────────────────────────────────

export async function findOpenHand(db: Db, sessionId: string, userId: string): Promise<HandRaiseRow | undefined> {
  const [row] = await db
    .select()
    .from(handRaises)
    .where(and(eq(handRaises.sessionId, sessionId), eq(handRaises.userId, userId), inArray(handRaises.status, ["waiting", "promoted"])));
  return row;
}

export async function findHand(db: Db, id: string): Promise<HandRaiseRow | undefined> {
  const [row] = await db.select().from(handRaises).where(eq(handRaises.id, id));
  return row;
}

/** Raises a hand once: a second raise (another tab, a resend after reconnect) returns the open request. */
export async function raiseHand(db: Db, sessionId: string, userId: string, at: Date): Promise<{ row: HandRaiseRow; created: boolean }> {
  const [created] = await db.insert(handRaises).values({ sessionId, userId, raisedAt: at }).onConflictDoNothing().returning();
  if (created) return { row: created, created: true };
  const open = await findOpenHand(db, sessionId, userId);
  if (!open) throw new Error("raised hand vanished");
  return { row: open, created: false };
}

/** Moves a request from one of `from` to `to`; undefined when it was not in `from` any more. */
export async function moveHand(
  db: Db,
  id: string,
  from: HandRaiseRow["status"][],
  to: HandRaiseRow["status"],
  opts: { by?: string | null; at: Date; camera?: boolean },
): Promise<HandRaiseRow | undefined> {
  const [row] = await db
    .update(handRaises)
    .set({ status: to, decidedAt: opts.at, decidedBy: opts.by ?? null, ...(opts.camera === undefined ? {} : { camera: opts.camera }) })
    .where(and(eq(handRaises.id, id), inArray(handRaises.status, from)))
    .returning();
  return row;
}

/** A promotion LiveKit did not carry out: the request waits again, as if never decided. */
export async function unpromoteHand(db: Db, id: string): Promise<HandRaiseRow | undefined> {
  const [row] = await db
    .update(handRaises)
    .set({ status: "waiting", decidedAt: null, decidedBy: null, camera: false })
    .where(and(eq(handRaises.id, id), eq(handRaises.status, "promoted")))
    .returning();
  return row;
}

/** Open requests, first come first served, with what moderators need to call on the person. */
export async function listOpenHands(db: Db, sessionId: string) {
  return db
    .select({
      id: handRaises.id,
      userId: handRaises.userId,
      status: handRaises.status,
      camera: handRaises.camera,
      raisedAt: handRaises.raisedAt,
      name: users.name,
      affiliation: users.affiliation,
    })
    .from(handRaises)
    .innerJoin(users, eq(users.id, handRaises.userId))
    .where(and(eq(handRaises.sessionId, sessionId), or(eq(handRaises.status, "waiting"), eq(handRaises.status, "promoted"))))
    .orderBy(asc(handRaises.raisedAt), asc(handRaises.id));
}

export async function findUserName(db: Db, userId: string): Promise<string | null> {
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return row?.name ?? null;
}
