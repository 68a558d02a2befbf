/**
 * Streaming rules: who gets which LiveKit token and when, the stream's on-air state, muting (captions
 * are server/captions). Raised hands are in hands.ts, recordings in recordings.ts, LiveKit's webhooks
 * in webhooks.ts.
 */
import type { StreamPublisher } from "./publisher";
import { AccessToken, TrackType } from "livekit-server-sdk";
import type { Database } from "../../db/client";
import type { RecordingFileRow, SessionRow } from "../../db/schema";
import type { RecordingCaptionTrack } from "../../lib/recordings";
import {
  mayRecord,
  streamWindow,
  type MediaState,
  type StreamAbilities,
  type StreamAttendance,
  type StreamSnapshot,
  type StreamToken,
  type StreamTokenRole,
} from "../../lib/streaming";
import { formatClock, formatShortDay, zoneAbbreviation } from "../../lib/time";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import type { AuditService } from "../audit/service";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { Logger } from "../log";
import { checkWindow, grantsFor, identityFor, ROLE_ATTRIBUTE, roomNameFor, TOKEN_TTL_SECONDS, viewerPermission } from "./grants";
import { isNotFound, livekitMessage, type Livekit } from "./livekit";
import { HandService } from "./hands";
import * as q from "./queries";
import { LivekitWebhooks } from "./webhooks";
import type { RecordingConfig } from "./recording";
import { RecordingService } from "./recordings";

/** Facts the streaming capability sends; server/app.ts routes them into socket.io rooms. */

export interface StreamingDeps {
  db: Database;
  livekit: Livekit | null;
  /** The media server's state (media-server.ts); omitted: ready when `livekit` is given, else off. */
  media?: MediaState;
  guard: Guard;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  publish: StreamPublisher;
  /** Keys the opaque LiveKit identities (grants.ts personKey). */
  identitySecret: string;
  timeZone: () => Promise<string>;
  /**
   * How recordings are made (recording.ts). Omitted: LiveKit's egress service, as a deployment with
   * one is configured (RECORDING=egress). server/app.ts passes the configured one.
   */
  recording?: RecordingConfig;
  /**
   * The caption files (WebVTT) offered with a recording. The captions work plugs in here; until
   * then a recording has none.
   */
  captionTracksFor?: (recording: RecordingFileRow, session: SessionRow) => Promise<RecordingCaptionTrack[]>;
}

/**
 * How long a room checked to exist is trusted before asking LiveKit again. Rooms close only
 * `departureTimeout` (60 s) after the last person left, which is longer, and `room_finished` forgets
 * the room at once.
 */
const ROOM_CHECK_MS = 30_000;

export class StreamingService {
  private roomsChecked = new Map<string, number>();
  readonly hands: HandService;
  readonly webhooks: LivekitWebhooks;
  private lk: Livekit | null;
  private mediaState: MediaState;
  readonly recordings: RecordingService;

  constructor(private readonly deps: StreamingDeps) {
    this.hands = new HandService(deps, this);
    this.webhooks = new LivekitWebhooks(deps, this);
    this.recordings = new RecordingService(deps, this);
    this.lk = deps.livekit;
    this.mediaState =
      deps.media ?? (deps.livekit ? { status: "ready" } : { status: "unavailable", reason: "off", message: "Streaming is switched off on this Plenary." });
  }

  get available(): boolean {
    return this.lk !== null;
  }

  get media(): MediaState {
    return this.mediaState;
  }

  /**
   * The media server changed (first-run build progress, ready, failed): streaming switches on or off
   * without a restart, and every streamed session's pages hear it through `stream:changed`.
   */
  async mediaChanged(media: MediaState, livekit: Livekit | null): Promise<void> {
    this.mediaState = media;
    this.lk = media.status === "ready" ? livekit : null;
    this.roomsChecked.clear();
    for (const session of await q.listStreamedSessions(this.deps.db)) await this.broadcast(session);
  }

  /** The LiveKit deployment, or a clear 503 while Plenary runs without one (or it is being built). */
  livekit(): Livekit {
    if (this.lk) return this.lk;
    if (this.mediaState.status === "preparing") {
      throw new AppError(
        "unavailable",
        "The live stream is not available yet: the media server is being prepared (first run). Streaming turns on by itself in a few minutes.",
      );
    }
    throw new AppError("unavailable", "The live stream is not available: Plenary is running without a LiveKit server.");
  }

  async snapshot(session: SessionRow): Promise<StreamSnapshot> {
    const [row, recordings, latest] = await Promise.all([
      q.findStream(this.deps.db, session.id),
      q.activeRecordings(this.deps.db, session.id),
      q.latestRecordingFile(this.deps.db, session.id),
    ]);
    const { opensAt, closesAt } = streamWindow(session.startsAt, session.endsAt);
    return {
      slug: session.slug,
      available: this.available && session.streamed,
      media: this.mediaState,
      state: row?.state ?? "idle",
      recording: recordings.length > 0,
      recordingStarting: recordings.length === 0 && latest?.status === "recording",
      recordingError: latest?.status === "failed" ? latest.error : null,
      recordingAllowed: mayRecord(session),
      opensAt: opensAt.toISOString(),
      closesAt: closesAt.toISOString(),
      version: row?.version ?? 0,
    };
  }

  abilities(actor: Actor | null, session: SessionRow): StreamAbilities {
    const allowed = (a: Parameters<Guard["allowed"]>[1]) => this.deps.guard.allowed(actor, a, session);
    return {
      signedIn: Boolean(actor),
      watch: allowed("stream:view"),
      publish: allowed("stream:publish"),
      control: allowed("stream:control"),
      record: allowed("recording:control"),
      raiseHand: allowed("hand:raise"),
      caption: allowed("caption:publish"),
      attendance: allowed("attendance:view") && session.streamed,
      notes: allowed("note:send"),
    };
  }

  /**
   * A LiveKit token for the signed-in person, from their role in this session: panelists and
   * moderators publish, staff may watch backstage ("monitor"), a member of the audience whose hand is
   * promoted speaks ("speaker"), everyone else only watches; the audience only while the stream is
   * live. Policy and window are checked before anything else (so a refusal is a 403 with an audit
   * entry even without LiveKit).
   */
  async mintToken(actor: Actor | null, session: SessionRow, input: { tab?: string; monitor?: boolean }): Promise<StreamToken> {
    let role: StreamTokenRole;
    let action: "stream:publish" | "stream:control" | "stream:view";
    if (this.deps.guard.allowed(actor, "stream:publish", session) && !input.monitor) [role, action] = ["publisher", "stream:publish"];
    else if (this.deps.guard.allowed(actor, "stream:control", session)) [role, action] = ["monitor", "stream:control"];
    else {
      await this.deps.guard.require(actor, "stream:view", session);
      [role, action] = ["viewer", "stream:view"];
    }
    const person = actor!;
    await this.requireWindow(person, session, action);
    const livekit = this.livekit();
    let camera = false;
    if (role === "viewer") {
      const stream = await q.findStream(this.deps.db, session.id);
      if (stream?.state !== "live") {
        throw new AppError(
          "not_live",
          stream?.state === "ended"
            ? "The stream of this session has ended."
            : "The stream has not started yet. This page lets you in as soon as the moderators go live.",
        );
      }
      // A promoted speaker who reloads or presses Watch again keeps the floor; demoting ends it.
      const hand = await q.findOpenHand(this.deps.db, session.id, person.userId);
      if (hand?.status === "promoted") [role, camera] = ["speaker", hand.camera];
    }
    const room = await this.ensureRoom(session);
    const identity = identityFor(this.deps.identitySecret, session.id, person.userId, input.tab);
    const at = new AccessToken(livekit.apiKey, livekit.apiSecret, {
      identity,
      ttl: TOKEN_TTL_SECONDS,
      // Day 2 is on the record: panelists and promoted speakers appear by name. Viewers are hidden and stay nameless.
      name: role === "publisher" ? (person.name ?? "Panelist") : role === "speaker" ? (person.name ?? "Participant") : undefined,
      attributes: { [ROLE_ATTRIBUTE]: role },
    });
    at.addGrant(grantsFor(role, room, { camera }));
    const token = await at.toJwt();
    return { url: livekit.url, token, identity, role, expiresAt: new Date(Date.now() + TOKEN_TTL_SECONDS * 1000).toISOString() };
  }

  /**
   * Why the session's stream cannot be used now (before its window opens, after it closes), in the
   * words every refusal uses; null inside the window. Backstage shows it before anyone presses a button.
   */
  async windowRefusal(session: SessionRow): Promise<string | null> {
    const w = checkWindow(session, this.deps.clock.now());
    if (w.open) return null;
    const zone = await this.deps.timeZone();
    return w.reason === "before"
      ? `The stream of this session opens at ${formatClock(w.opensAt, zone)} ${zoneAbbreviation(w.opensAt, zone)} on ${formatShortDay(w.opensAt, zone)} (30 minutes before the start). Come back then.`
      : "The stream of this session is closed: the session is over.";
  }

  private async requireWindow(actor: Actor, session: SessionRow, action: string): Promise<void> {
    const w = checkWindow(session, this.deps.clock.now());
    if (w.open) return;
    const message = (await this.windowRefusal(session)) ?? "The stream of this session is closed.";
    await this.deps.audit.record({
      actor,
      action,
      outcome: "refused",
      code: "outside_window",
      objectType: "session",
      objectId: session.slug,
      session: { id: session.id, rule: session.rule },
      details: { reason: message, opensAt: w.opensAt.toISOString(), closesAt: w.closesAt.toISOString() },
    });
    throw new AppError("outside_window", message);
  }

  /** Creates the session's room (LiveKit returns the existing one) with the policy in its metadata. */
  async ensureRoom(session: SessionRow): Promise<string> {
    const livekit = this.livekit();
    const name = roomNameFor(session.id);
    if (!session.streamed) throw new AppError("forbidden", "This session is not streamed, so it has no LiveKit room.");
    const checked = this.roomsChecked.get(name);
    if (checked && Date.now() - checked < ROOM_CHECK_MS) return name;
    const metadata = JSON.stringify({
      plenary: 1,
      slug: session.slug,
      title: session.title,
      rule: session.rule,
      streamed: session.streamed,
      recordingAllowed: session.recordingAllowed,
    });
    try {
      const room = await livekit.rooms.createRoom({ name, metadata, emptyTimeout: 10 * 60, departureTimeout: 60 });
      if (room.metadata !== metadata) await livekit.rooms.updateRoomMetadata(name, metadata);
    } catch (err) {
      throw new AppError("livekit_error", `LiveKit could not open the room for this session: ${livekitMessage(err)}`);
    }
    this.roomsChecked.set(name, Date.now());
    return name;
  }

  /** LiveKit closed the room: the next token creates it again. */
  forgetRoom(name: string): void {
    this.roomsChecked.delete(name);
  }

  /** Moderators go live (viewers are let in) and end the stream (viewers are let go, recordings stop). */
  async setState(actor: Actor | null, session: SessionRow, action: "start" | "end", opts: { emptyStage?: boolean } = {}): Promise<StreamSnapshot> {
    await this.deps.guard.require(actor, "stream:control", session);
    const livekit = this.livekit();
    const now = this.deps.clock.now();
    if (action === "start") {
      await this.requireWindow(actor!, session, "stream:control");
      // Viewers let in to an empty stage see nothing: that takes the moderator's explicit say-so.
      const live = (await q.findStream(this.deps.db, session.id))?.state === "live";
      if (!live && !opts.emptyStage && (await q.countAttendance(this.deps.db, session.id)).publishers === 0) {
        throw new AppError(
          "stage_empty",
          "Nobody is on stage yet: no panelist or moderator is publishing a camera or microphone, so remote viewers would see an empty stage. Wait for them to join backstage, or choose Go live anyway.",
        );
      }
      await this.ensureRoom(session);
      const row = await q.setStreamState(this.deps.db, session.id, "live", now);
      if (row) await this.audited(actor, session, "stream:start", { state: "live" });
    } else {
      const row = await q.setStreamState(this.deps.db, session.id, "ended", now);
      if (row) {
        await this.audited(actor, session, "stream:end", { state: "ended" });
        await this.hands.closeAll(session);
        await this.dismissViewers(livekit, session);
        // The stream has ended whatever LiveKit says about the recording; a failure to stop it is reported after.
        const problems = await this.recordings.stopWithStream(actor, session);
        const snapshot = await this.broadcast(session);
        if (problems.length) throw new AppError("livekit_error", `The stream has ended, but the recording is still running. ${problems[0]}`);
        return snapshot;
      }
    }
    return this.broadcast(session);
  }

  /** Ending the stream lets viewers go; panelists stay backstage. */
  private async dismissViewers(livekit: Livekit, session: SessionRow): Promise<void> {
    const room = roomNameFor(session.id);
    let participants;
    try {
      participants = await livekit.rooms.listParticipants(room);
    } catch (err) {
      if (!isNotFound(err)) this.deps.log.warn("could not list participants to end the stream", { room, err: livekitMessage(err) });
      return;
    }
    for (const p of participants) {
      const role = p.attributes[ROLE_ATTRIBUTE];
      if (role === "viewer" || role === "speaker") {
        await livekit.rooms
          .removeParticipant(room, p.identity)
          .catch((err: unknown) => this.deps.log.warn("could not remove a viewer", { room, err: livekitMessage(err) }));
      }
    }
  }

  /**
   * LiveKit let a member of the audience in (its `participant_joined` webhook). Their token can
   * outlive the stream by up to its 5 minutes, so someone who connects while the session is not live
   * is removed at once (they would hear the panelists backstage); a speaker whose turn ended after
   * their token was minted gets a viewer's permissions.
   */
  async admitAudience(session: SessionRow, identity: string, role: "viewer" | "speaker"): Promise<void> {
    const livekit = this.livekit();
    const room = roomNameFor(session.id);
    const stream = await q.findStream(this.deps.db, session.id);
    if (stream?.state !== "live") {
      try {
        await livekit.rooms.removeParticipant(room, identity);
        this.deps.log.info("removed a viewer who joined while the stream was not live", { room, state: stream?.state ?? "idle" });
      } catch (err) {
        if (!isNotFound(err))
          throw new AppError("livekit_error", `LiveKit could not remove a viewer who joined while the stream was not live: ${livekitMessage(err)}`);
      }
      return;
    }
    if (role === "speaker" && !(await this.hands.isPromoted(session, identity))) {
      try {
        await livekit.rooms.updateParticipant(room, identity, { permission: viewerPermission(), attributes: { [ROLE_ATTRIBUTE]: "viewer" } });
      } catch (err) {
        if (!isNotFound(err))
          throw new AppError("livekit_error", `LiveKit could not take the microphone from a speaker whose turn has ended: ${livekitMessage(err)}`);
      }
    }
  }

  async broadcast(session: SessionRow): Promise<StreamSnapshot> {
    const snapshot = await this.snapshot(session);
    this.deps.publish.streamChanged(session.id, snapshot);
    return snapshot;
  }

  /** Moderators mute a panelist's (or promoted speaker's) microphone through LiveKit's room service. */
  async mute(actor: Actor | null, session: SessionRow, identity: string): Promise<{ muted: number }> {
    await this.deps.guard.require(actor, "stream:control", session);
    const livekit = this.livekit();
    const room = roomNameFor(session.id);
    let participant;
    try {
      participant = await livekit.rooms.getParticipant(room, identity);
    } catch (err) {
      if (isNotFound(err)) throw new AppError("not_found", "That person is not connected to the stream any more.");
      throw new AppError("livekit_error", `LiveKit could not find that person: ${livekitMessage(err)}`);
    }
    let muted = 0;
    for (const track of participant.tracks) {
      if (track.type !== TrackType.AUDIO || track.muted) continue;
      try {
        await livekit.rooms.mutePublishedTrack(room, identity, track.sid, true);
        muted++;
      } catch (err) {
        throw new AppError("livekit_error", `LiveKit could not mute ${participant.name || "that person"}: ${livekitMessage(err)}`);
      }
    }
    await this.audited(actor, session, "stream:mute", { name: participant.name, muted });
    return { muted };
  }

  async attendance(actor: Actor | null, session: SessionRow): Promise<StreamAttendance> {
    await this.deps.guard.require(actor, "attendance:view", session);
    return { slug: session.slug, ...(await q.countAttendance(this.deps.db, session.id)) };
  }

  /**
   * Reads a session's attendance and sends it to its staff. Counts read at once, on this instance or
   * another, may arrive in either order; each carries its version, and clients keep the newest.
   */
  async publishAttendance(session: SessionRow): Promise<void> {
    this.deps.publish.attendanceChanged(session.id, { slug: session.slug, ...(await q.countAttendance(this.deps.db, session.id)) });
  }

  /** An audited success on the session (also recordings.ts's). */
  audited(actor: Actor | null, session: SessionRow, action: string, details: Record<string, unknown>) {
    return this.deps.audit.record({
      actor,
      action,
      outcome: "ok",
      objectType: "session",
      objectId: session.slug,
      session: { id: session.id, rule: session.rule },
      details,
    });
  }
}
