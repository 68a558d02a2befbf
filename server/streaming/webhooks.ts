/**
 * LiveKit's webhooks: verified on the raw body, each event id handled once and marked done only once
 * handled (so a retry after a crash or a failure is not lost), events out of order tolerated. They
 * feed live attendance, the recording guard and the audience's admission.
 */
import { randomUUID } from "node:crypto";
import { EgressStatus, type EgressInfo, type ParticipantInfo, type WebhookEvent } from "livekit-server-sdk";
import { findSessionById } from "../agenda/queries";
import type { SessionRow } from "../../db/schema";
import { mayRecord } from "../../lib/streaming";
import { AppError } from "../errors";
import { ROLE_ATTRIBUTE, sessionIdFromRoom } from "./grants";
import { livekitMessage } from "./livekit";
import * as q from "./queries";
import { RECORDER_IDENTITY_PREFIX, RECORDER_ROLE } from "./recording";
import type { StreamingDeps, StreamingService } from "./service";

const ENDED = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);
const RUNNING = new Set([EgressStatus.EGRESS_STARTING, EgressStatus.EGRESS_ACTIVE]);
type AttendanceRole = "viewer" | "publisher" | "monitor" | "speaker";
const ATTENDANCE_ROLES: ReadonlySet<string> = new Set<AttendanceRole>(["viewer", "publisher", "monitor", "speaker"]);

export type WebhookOutcome = { handled: true; event: string } | { handled: false; reason: "duplicate" };

/**
 * How long a delivery's claim on an event lasts without renewal. It is renewed every
 * CLAIM_RENEW_MS while handling runs (LiveKit calls can take up to their 10 s timeout), so it runs
 * out only when the process died: LiveKit retries a failed delivery after about 1, 2, 4 and 8 s, and
 * a retry after the lease takes the event over.
 */
const CLAIM_LEASE_MS = 5_000;
const CLAIM_RENEW_MS = 1_500;

export class LivekitWebhooks {
  constructor(
    private readonly deps: StreamingDeps,
    private readonly streaming: StreamingService,
  ) {}

  /** Verifies and handles one delivery. A bad signature or a body changed in transit is a 401 and changes nothing. */
  async receive(rawBody: string, authorization: string | undefined): Promise<WebhookOutcome> {
    const livekit = this.streaming.livekit();
    let event: WebhookEvent;
    try {
      event = await livekit.webhooks.receive(rawBody, authorization?.replace(/^Bearer\s+/i, ""));
    } catch (err) {
      this.deps.log.warn("LiveKit webhook refused: signature did not verify", { reason: err instanceof Error ? err.message : String(err) });
      throw new AppError("unauthenticated", "The webhook's signature does not match its body or this server's LiveKit key.");
    }
    if (!event.id || !event.event) throw new AppError("invalid_payload", "The webhook has no event id or name.");
    const token = randomUUID();
    const claim = await q.claimWebhookEvent(this.deps.db, { id: event.id, event: event.event, token, leaseMs: CLAIM_LEASE_MS });
    if (claim === "done") return { handled: false, reason: "duplicate" };
    // Another delivery of the same event is being handled: a 5xx makes LiveKit retry, and the retry
    // finds it done (or, if that handling failed, handles it).
    if (claim === "busy") throw new AppError("in_progress", "This event is being handled by another delivery; LiveKit will retry it.");
    const renew = setInterval(() => {
      q.renewWebhookClaim(this.deps.db, event.id, token, CLAIM_LEASE_MS)
        .then((mine) => mine || this.deps.log.warn("a webhook claim was taken over while it was being handled", { id: event.id }))
        .catch((err: unknown) => this.deps.log.warn("could not renew a webhook claim", { id: event.id, err }));
    }, CLAIM_RENEW_MS);
    renew.unref();
    try {
      await this.handle(event);
    } catch (err) {
      // Let LiveKit's retry be handled rather than lost.
      await q
        .releaseWebhookClaim(this.deps.db, event.id, token)
        .catch((e: unknown) => this.deps.log.warn("could not release a webhook claim", { id: event.id, err: e }));
      throw err;
    } finally {
      clearInterval(renew);
    }
    await q.finishWebhookEvent(this.deps.db, event.id, token);
    return { handled: true, event: event.event };
  }

  private async handle(event: WebhookEvent): Promise<void> {
    const roomName = event.room?.name || event.egressInfo?.roomName || "";
    const sessionId = sessionIdFromRoom(roomName);
    const session = sessionId ? await findSessionById(this.deps.db, sessionId) : undefined;
    const seconds = Number(event.createdAt ?? 0n);
    const at = seconds > 0 ? new Date(seconds * 1000) : this.deps.clock.now();
    // LiveKit names the room instance in every participant and room event; attendance is kept per instance.
    const roomSid = event.room?.sid ?? "";

    switch (event.event) {
      case "participant_joined":
      case "participant_left":
      case "participant_connection_aborted": {
        const p = event.participant;
        if (!p?.sid) return;
        if (isRecorderParticipant(p)) return this.recorderEvent(event.event, p, roomName, session);
        if (!session) return;
        const attr = p.attributes?.[ROLE_ATTRIBUTE];
        const role: AttendanceRole = attr && ATTENDANCE_ROLES.has(attr) ? (attr as AttendanceRole) : p.permission?.hidden ? "viewer" : "publisher";
        const e = { participantSid: p.sid, roomSid, sessionId: session.id, identity: p.identity, role, at };
        // Attendance is kept per room instance, so an event that names none is not counted; whoever
        // joined is still checked against the stream's state.
        if (event.event === "participant_joined") {
          if (roomSid) await q.attendanceJoined(this.deps.db, e);
          if (role === "viewer" || role === "speaker") await this.streaming.admitAudience(session, p.identity, role);
        } else if (roomSid) {
          await q.attendanceLeft(this.deps.db, e);
        }
        await this.streaming.publishAttendance(session);
        return;
      }
      case "room_finished":
        this.streaming.forgetRoom(roomName);
        if (!session || !roomSid) return;
        await q.attendanceRoomFinished(this.deps.db, session.id, roomSid, at);
        await q.deleteWebhookEventsBefore(this.deps.db, new Date(this.deps.clock.now().getTime() - 24 * 3600_000));
        await this.streaming.publishAttendance(session);
        return;
      case "egress_started":
      case "egress_updated":
      case "egress_ended": {
        const info = event.egressInfo;
        if (!info?.egressId) return;
        const running = event.event === "egress_started" || (event.event === "egress_updated" && RUNNING.has(info.status));
        if (running) return this.egressRunning(info, roomName, session);
        if (event.event === "egress_ended" || ENDED.has(info.status)) return this.egressEnded(info, session);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The recording guard: an egress that runs in a room whose session does not allow recording (a
   * Chatham House session, a session without permission, a room Plenary never made) is stopped at
   * once, and the audit log says so. Only then does anything else happen.
   */
  private async egressRunning(info: EgressInfo, roomName: string, session: SessionRow | undefined): Promise<void> {
    if (!recordingAllowed(session)) {
      await this.guardStops(session, roomName, {
        objectType: "egress",
        id: info.egressId,
        opening: "A recording started in",
        stop: async () => {
          await this.streaming.livekit().egress.stopEgress(info.egressId);
          return "stopped";
        },
        refused: "stop requested",
      });
      return;
    }
    if (await q.insertRecording(this.deps.db, { egressId: info.egressId, sessionId: session.id, status: "active", at: this.deps.clock.now() })) {
      await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
      await this.streaming.broadcast(session);
    }
  }

  /**
   * A recorder participant (Plenary's track recorder, or anything joining as a recorder or egress)
   * joined or left. Where the session does not allow recording, the recording guard removes it at
   * once and the audit log says so; otherwise its presence is the REC indicator.
   */
  private async recorderEvent(name: string, p: ParticipantInfo, roomName: string, session: SessionRow | undefined): Promise<void> {
    const file = p.identity.startsWith(RECORDER_IDENTITY_PREFIX) ? await q.findRecordingFileByIdentity(this.deps.db, p.identity) : undefined;
    const ours = file !== undefined && file.sessionId === session?.id;
    const id = ours ? file.id : p.identity;
    if (name !== "participant_joined") {
      if (session && (await q.endRecording(this.deps.db, id, session.id, this.deps.clock.now()))) {
        await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
        await this.streaming.broadcast(session);
      }
      return;
    }
    if (!recordingAllowed(session)) {
      await this.guardStops(session, roomName, {
        objectType: "participant",
        id: p.identity,
        rowId: id,
        opening: "A recorder joined",
        stop: async () => {
          await this.streaming.livekit().rooms.removeParticipant(roomName, p.identity);
          return "removed from the room";
        },
        refused: "removal requested",
      });
      return;
    }
    // A LiveKit egress's own participant is reported by its egress webhooks; only recorders are counted here.
    if (!ours && isEgressOnly(p)) return;
    if (
      await q.insertRecording(this.deps.db, {
        egressId: id,
        sessionId: session.id,
        status: "active",
        startedBy: file?.startedBy ?? null,
        at: this.deps.clock.now(),
      })
    ) {
      await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
      await this.streaming.broadcast(session);
    }
  }

  /**
   * What the recording guard does to an egress or recorder in a session that does not allow
   * recording: stop it, keep a stopped_by_guard row (the recorder's file is then deleted unread), and
   * say why in the log and the audit trail.
   */
  private async guardStops(
    session: SessionRow | undefined,
    roomName: string,
    target: { objectType: "egress" | "participant"; id: string; rowId?: string; opening: string; stop: () => Promise<string>; refused: string },
  ): Promise<void> {
    let stop: string;
    try {
      stop = await target.stop();
    } catch (err) {
      stop = `${target.refused}; LiveKit answered: ${livekitMessage(err)}`;
    }
    const rowId = target.rowId ?? target.id;
    if (session) await q.insertRecording(this.deps.db, { egressId: rowId, sessionId: session.id, status: "stopped_by_guard", at: this.deps.clock.now() });
    const reason = !session
      ? `${target.opening} a LiveKit room that belongs to no Plenary session.`
      : session.rule === "chatham_house"
        ? `${target.opening} a session held under the Chatham House Rule, which is never recorded.`
        : `${target.opening} a session that does not allow recording.`;
    this.deps.log.warn("recording guard stopped a recording", { [target.objectType]: target.id, room: roomName, stop });
    await this.deps.audit.record({
      actor: null,
      systemLabel: "Recording guard (LiveKit webhook)",
      action: "recording:guard",
      outcome: "refused",
      code: "forbidden",
      objectType: target.objectType,
      objectId: target.id,
      session: session ? { id: session.id, rule: session.rule } : undefined,
      details: { reason, room: roomName, stop },
    });
  }

  private async egressEnded(info: EgressInfo, session: SessionRow | undefined): Promise<void> {
    if (!session) return;
    if (await q.endRecording(this.deps.db, info.egressId, session.id, this.deps.clock.now())) {
      await q.touchStream(this.deps.db, session.id, this.deps.clock.now());
      await this.streaming.broadcast(session);
    }
  }
}

function recordingAllowed(session: SessionRow | undefined): session is SessionRow {
  return mayRecord(session);
}

/** LiveKit's ParticipantInfo.Kind EGRESS (its enum is not exported by the server SDK). */
const KIND_EGRESS = 1;

/** A participant that records: Plenary's recorder, an egress, or anyone holding LiveKit's `recorder` grant. */
export function isRecorderParticipant(p: ParticipantInfo): boolean {
  return (
    p.attributes?.[ROLE_ATTRIBUTE] === RECORDER_ROLE ||
    p.identity.startsWith(RECORDER_IDENTITY_PREFIX) ||
    Number(p.kind) === KIND_EGRESS ||
    p.permission?.recorder === true
  );
}

/** An egress participant that is not a Plenary recorder (LiveKit's egress service: its webhooks speak for it). */
function isEgressOnly(p: ParticipantInfo): boolean {
  return Number(p.kind) === KIND_EGRESS && p.attributes?.[ROLE_ATTRIBUTE] !== RECORDER_ROLE && !p.identity.startsWith(RECORDER_IDENTITY_PREFIX);
}
