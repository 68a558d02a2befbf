/**
 * The pure rules of streaming: room names, opaque identities, the grants each role gets and the
 * time window. No I/O, so every rule is unit-tested on its own (grants.test.ts).
 */
import { createHmac, randomBytes } from "node:crypto";
import { TrackSource, type ParticipantPermission, type VideoGrant } from "livekit-server-sdk";
import { streamWindow, type StreamTokenRole } from "../../lib/streaming";

/** Tokens live five minutes: enough to connect; LiveKit refreshes a connected participant's token itself. */
export const TOKEN_TTL_SECONDS = 5 * 60;

const ROOM_PREFIX = "plenary-";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One LiveKit room per session, named by the session's id (slugs may be edited, ids never are). */
export function roomNameFor(sessionId: string): string {
  return ROOM_PREFIX + sessionId;
}

/** The session id behind a room name, or null for rooms Plenary never names. */
export function sessionIdFromRoom(room: string | undefined | null): string | null {
  if (!room?.startsWith(ROOM_PREFIX)) return null;
  const id = room.slice(ROOM_PREFIX.length);
  return UUID.test(id) ? id : null;
}

/**
 * The part of a LiveKit identity that stands for one person in one session: an HMAC of their ids,
 * so the identity says nothing about them, yet the server can find all of that person's tabs to
 * promote or demote them.
 */
export function personKey(secret: string, sessionId: string, userId: string): string {
  return "p" + createHmac("sha256", secret).update(`livekit-identity\0${sessionId}\0${userId}`).digest("base64url").slice(0, 22);
}

/** `<personKey>.<tab>`: unique per browser tab, so two tabs of one person do not kick each other out. */
export function identityFor(secret: string, sessionId: string, userId: string, tab?: string): string {
  return `${personKey(secret, sessionId, userId)}.${tab ?? randomBytes(8).toString("base64url")}`;
}

export function belongsTo(identity: string, key: string): boolean {
  return identity.startsWith(key + ".");
}

const PUBLISH_SOURCES = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO];

/**
 * Every grant set explicitly, never left to LiveKit's defaults (an unset canPublish means "may
 * publish"). Panelists and moderators publish camera, microphone and screen share; a member of the
 * audience whose hand a moderator promoted (`speaker`) publishes their microphone (and camera when
 * granted) and is seen; everyone else only subscribes, sends no data and stays hidden. Nobody gets
 * admin, recording or room creation: those stay with the server.
 */
export function grantsFor(role: StreamTokenRole, room: string, opts: { camera?: boolean } = {}): VideoGrant {
  const sources = role === "publisher" ? [...PUBLISH_SOURCES] : role === "speaker" ? speakerSources(opts.camera ?? false) : [];
  return {
    room,
    roomJoin: true,
    roomCreate: false,
    roomList: false,
    roomRecord: false,
    roomAdmin: false,
    ingressAdmin: false,
    canPublish: sources.length > 0,
    canPublishSources: sources,
    canSubscribe: true,
    canPublishData: false,
    canUpdateOwnMetadata: false,
    hidden: sources.length === 0,
    recorder: false,
    agent: false,
    canSubscribeMetrics: false,
    canManageAgentSession: false,
  };
}

function speakerSources(camera: boolean): TrackSource[] {
  return camera ? [TrackSource.MICROPHONE, TrackSource.CAMERA] : [TrackSource.MICROPHONE];
}

/** A viewer promoted to speak: microphone (and camera when asked), visible to the others. */
export function speakerPermission(camera: boolean): Partial<ParticipantPermission> {
  return {
    canPublish: true,
    canPublishSources: speakerSources(camera),
    canSubscribe: true,
    canPublishData: false,
    canUpdateMetadata: false,
    hidden: false,
    recorder: false,
    agent: false,
    canSubscribeMetrics: false,
    canManageAgentSession: false,
  };
}

/** Back to a viewer: LiveKit removes any track the person still publishes. */
export function viewerPermission(): Partial<ParticipantPermission> {
  return { ...speakerPermission(false), canPublish: false, canPublishSources: [], hidden: true };
}

export type WindowCheck = { open: true } | { open: false; reason: "before" | "after"; opensAt: Date; closesAt: Date };

/** Tokens exist only from doors open (30 min before the start) to 30 min after the scheduled end. */
export function checkWindow(session: { startsAt: Date; endsAt: Date }, now: Date): WindowCheck {
  const { opensAt, closesAt } = streamWindow(session.startsAt, session.endsAt);
  if (now < opensAt) return { open: false, reason: "before", opensAt, closesAt };
  if (now >= closesAt) return { open: false, reason: "after", opensAt, closesAt };
  return { open: true };
}

/** Attribute LiveKit carries for each participant, so webhooks can count viewers apart from speakers. */
export const ROLE_ATTRIBUTE = "plenary.role";
