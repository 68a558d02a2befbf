import { TrackSource } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { belongsTo, checkWindow, grantsFor, identityFor, personKey, roomNameFor, sessionIdFromRoom, speakerPermission, viewerPermission } from "./grants";

const room = roomNameFor("3f1c2b9e-2d7a-4c1e-9b0a-5e6f7a8b9c0d");

describe("grants per role", () => {
  it("lets panelists and moderators (publisher) publish camera, microphone and screen share, and nothing more", () => {
    expect(grantsFor("publisher", room)).toEqual({
      room,
      roomJoin: true,
      roomCreate: false,
      roomList: false,
      roomRecord: false,
      roomAdmin: false,
      ingressAdmin: false,
      canPublish: true,
      canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
      hidden: false,
      recorder: false,
      agent: false,
      canSubscribeMetrics: false,
      canManageAgentSession: false,
    });
  });

  it.each(["viewer", "monitor"] as const)("lets a %s only subscribe: no publishing, no data, hidden", (role) => {
    const g = grantsFor(role, room);
    expect(g).toMatchObject({ roomJoin: true, room, canSubscribe: true, canPublish: false, canPublishSources: [], canPublishData: false, hidden: true });
    expect(g).toMatchObject({ roomAdmin: false, roomRecord: false, roomCreate: false, canUpdateOwnMetadata: false, recorder: false });
  });

  it("lets a promoted speaker publish the microphone (and the camera when granted), seen, nothing more", () => {
    expect(grantsFor("speaker", room)).toMatchObject({
      canPublish: true,
      canPublishSources: [TrackSource.MICROPHONE],
      hidden: false,
      canPublishData: false,
      canSubscribe: true,
    });
    expect(grantsFor("speaker", room, { camera: true }).canPublishSources).toEqual([TrackSource.MICROPHONE, TrackSource.CAMERA]);
    expect(grantsFor("speaker", room)).toMatchObject({ roomAdmin: false, roomRecord: false, roomCreate: false, canUpdateOwnMetadata: false, recorder: false });
    // The token a speaker reconnects with grants what promoting gave them on LiveKit.
    const live = speakerPermission(true);
    expect(grantsFor("speaker", room, { camera: true })).toMatchObject({
      canPublish: live.canPublish,
      canPublishSources: live.canPublishSources,
      hidden: live.hidden,
    });
  });

  it("sets every grant explicitly: none is left to LiveKit's defaults", () => {
    for (const role of ["publisher", "viewer", "monitor", "speaker"] as const) {
      for (const [key, value] of Object.entries(grantsFor(role, room))) expect(value, `${role}.${key}`).not.toBeUndefined();
    }
  });

  it("promotes a viewer to the microphone (camera on request) and demotes back to hidden and silent", () => {
    expect(speakerPermission(false)).toMatchObject({ canPublish: true, canPublishSources: [TrackSource.MICROPHONE], hidden: false, canPublishData: false });
    expect(speakerPermission(true).canPublishSources).toEqual([TrackSource.MICROPHONE, TrackSource.CAMERA]);
    expect(viewerPermission()).toMatchObject({ canPublish: false, canPublishSources: [], hidden: true, canSubscribe: true, canPublishData: false });
  });
});

describe("rooms and identities", () => {
  it("names one room per session and reads the session back, ignoring rooms Plenary never names", () => {
    expect(sessionIdFromRoom(room)).toBe("3f1c2b9e-2d7a-4c1e-9b0a-5e6f7a8b9c0d");
    expect(sessionIdFromRoom("plenary-not-a-uuid")).toBeNull();
    expect(sessionIdFromRoom("someone-elses-room")).toBeNull();
    expect(sessionIdFromRoom(undefined)).toBeNull();
  });

  it("makes opaque identities, unique per tab, that the server can still tie to the person", () => {
    const userId = "0b8f3a52-7c4d-4e2f-8a1b-9c0d1e2f3a4b";
    const a = identityFor("secret-1", "s1", userId, "tabAAAA");
    const b = identityFor("secret-1", "s1", userId, "tabBBBB");
    expect(a).not.toBe(b);
    expect(a).not.toContain(userId);
    expect(a).not.toContain(userId.slice(0, 8));
    const key = personKey("secret-1", "s1", userId);
    expect(belongsTo(a, key) && belongsTo(b, key)).toBe(true);
    expect(belongsTo(identityFor("secret-1", "s1", "someone-else"), key)).toBe(false);
    // The same person in another session, or under another secret, is another identity.
    expect(personKey("secret-1", "s2", userId)).not.toBe(key);
    expect(personKey("secret-2", "s1", userId)).not.toBe(key);
    // Without a tab id each token gets its own identity.
    expect(identityFor("secret-1", "s1", userId)).not.toBe(identityFor("secret-1", "s1", userId));
  });
});

describe("the time window", () => {
  const session = { startsAt: new Date("2024-05-24T09:45:00-04:00"), endsAt: new Date("2024-05-24T11:15:00-04:00") };
  it.each([
    ["2024-05-24T09:14:59-04:00", false, "before"],
    ["2024-05-24T09:15:00-04:00", true, undefined], // doors open 30 minutes before the start
    ["2024-05-24T10:30:00-04:00", true, undefined],
    ["2024-05-24T11:44:59-04:00", true, undefined], // an overrun of up to 30 minutes is still served
    ["2024-05-24T11:45:00-04:00", false, "after"],
    ["2024-05-23T10:00:00-04:00", false, "before"],
  ])("at %s the window is open: %s", (now, open, reason) => {
    const w = checkWindow(session, new Date(now));
    expect(w.open).toBe(open);
    if (!w.open) expect(w.reason).toBe(reason);
  });
});
