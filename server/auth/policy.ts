import { nonInteractiveKinds, type SessionKind, type SessionRule } from "../../lib/agenda";
import { hasSessionRole, type Actor } from "./actor";

/**
 * The one place that decides who may do what. Pages, route handlers and socket handlers all ask
 * `authorize()`; capability services then check state (a closed poll, a stale version).
 */
export const actions = {
  // Event-wide, organizers only.
  "agenda:edit": "edit the agenda",
  "participants:import": "import participants",
  "roles:manage": "assign moderators and panelists",
  "audit:read": "read the audit log",
  "admin:view": "open the organizer's console",
  "report:read": "download the event's reports and exports",
  // Organizers and check-in helpers.
  "checkin:desk": "run the check-in desk",
  // Session staff.
  "qa:configure": "open, close or configure Q&A for this session",
  "question:moderate": "moderate questions in this session",
  "question:answer": "mark questions answered in this session",
  "panel:view": "open the panelist view of this session",
  "screen:view": "open the room screen of this session",
  "poll:manage": "run polls in this session",
  "poll:view-results": "see live poll results in this session",
  "stream:publish": "publish video in this session",
  "stream:control": "control the stream of this session",
  "recording:control": "start or stop a recording of this session",
  "recording:manage": "download and publish the recordings of this session",
  "caption:publish": "send live captions for this session",
  "caption:manage": "see or rotate this session's caption ingest URL",
  "caption:export": "download or publish this session's captions",
  "attendance:view": "see attendance for this session",
  "note:send": "send private notes to the panelists of this session",
  "note:read": "read the private notes to the panelists of this session",
  "note:ack": "acknowledge the private notes to the panelists of this session",
  "questions:export": "download this session's questions",
  // Audience.
  "question:ask": "ask questions in this session",
  "question:vote": "vote on questions in this session",
  "poll:answer": "answer polls in this session",
  "stream:view": "watch the stream of this session",
  "hand:raise": "ask to speak in this session",
  "feedback:give": "give feedback on this session",
  "recording:watch": "watch the published recordings of this session",
} as const;

export type Action = keyof typeof actions;

export interface PolicySession {
  id: string;
  kind: SessionKind;
  rule: SessionRule;
  streamed: boolean;
  recordingAllowed: boolean;
  qaEnabled: boolean;
  pollsEnabled: boolean;
}

export type Decision = { allowed: true } | { allowed: false; code: "unauthenticated" | "forbidden"; message: string };

const ALLOW: Decision = { allowed: true };
const deny = (message: string): Decision => ({ allowed: false, code: "forbidden", message });

const eventWide = new Set<Action>(["agenda:edit", "participants:import", "roles:manage", "audit:read", "admin:view", "report:read"]);

export function authorize(actor: Actor | null, action: Action, session?: PolicySession): Decision {
  if (!actor) return { allowed: false, code: "unauthenticated", message: `Sign in to ${actions[action]}.` };
  if (eventWide.has(action)) return actor.isOrganizer ? ALLOW : deny(`Only organizers may ${actions[action]}.`);
  if (action === "checkin:desk") return actor.isOrganizer || actor.isCheckIn ? ALLOW : deny(`Only organizers and check-in helpers may ${actions[action]}.`);
  if (!session) return deny(`Choose a session to ${actions[action]}.`);

  const organizer = actor.isOrganizer;
  const moderator = hasSessionRole(actor, session.id, "moderator");
  const panelist = hasSessionRole(actor, session.id, "panelist");
  const staff = organizer || moderator;
  const interactive = !nonInteractiveKinds.includes(session.kind);
  const staffOnly = (ok: boolean, who: string) => (ok ? ALLOW : deny(`Only ${who} of this session may ${actions[action]}.`));

  switch (action) {
    case "qa:configure":
    case "question:moderate":
      if (!session.qaEnabled) return deny("This session has no Q&A.");
      return staffOnly(staff, "organizers and moderators");
    case "question:answer":
    case "panel:view":
      if (!session.qaEnabled) return deny("This session has no Q&A.");
      return staffOnly(staff || panelist, "organizers, moderators and panelists");
    case "screen:view":
      if (!interactive) return deny("This session has no Q&A or polls to show on a screen.");
      return staffOnly(staff || panelist, "organizers, moderators and panelists");
    case "poll:manage":
      if (!session.pollsEnabled) return deny("This session has no polls.");
      return staffOnly(staff, "organizers and moderators");
    case "poll:view-results":
      if (!session.pollsEnabled) return deny("This session has no polls.");
      return staffOnly(staff || panelist, "organizers, moderators and panelists");
    case "attendance:view":
    case "questions:export":
      return staffOnly(staff, "organizers and moderators");
    // Private notes to the panel: producers send, panelists acknowledge; the audience never reads them.
    case "note:send":
      return staffOnly(staff, "organizers and moderators");
    case "note:read":
      return staffOnly(staff || panelist, "organizers, moderators and panelists");
    case "note:ack":
      return staffOnly(panelist, "panelists");
    case "stream:publish":
      if (!session.streamed) return deny(notStreamed(session));
      return staffOnly(moderator || panelist, "moderators and panelists");
    case "stream:control":
      if (!session.streamed) return deny(notStreamed(session));
      return staffOnly(staff, "organizers and moderators");
    // Captions serve the room (projector, phones) as much as the stream: every session may have them.
    case "caption:publish":
    case "caption:manage":
      return staffOnly(staff, "organizers and moderators");
    case "caption:export":
      if (session.rule === "chatham_house") return deny("This session is held under the Chatham House Rule: its captions are never kept.");
      if (!session.recordingAllowed) return deny("This session may not be recorded, so its captions are not kept.");
      return organizer ? ALLOW : deny(`Only organizers may ${actions[action]}.`);
    case "recording:control":
      if (session.rule === "chatham_house") return deny("This session is held under the Chatham House Rule: it can never be recorded.");
      if (!session.recordingAllowed) return deny("Recording is not allowed for this session.");
      return staffOnly(staff, "organizers and moderators");
    case "recording:manage":
      if (session.rule === "chatham_house") return deny("This session is held under the Chatham House Rule: it can never be recorded.");
      return staffOnly(organizer, "organizers");
    case "recording:watch":
      if (session.rule === "chatham_house") return deny("This session is held under the Chatham House Rule: it can never be recorded.");
      if (!session.streamed) return deny(notStreamed(session));
      return audience(actor, session, action);
    case "question:ask":
    case "question:vote":
      if (!session.qaEnabled) return deny("This session has no Q&A.");
      return audience(actor, session, action);
    case "poll:answer":
      if (!session.pollsEnabled) return deny("This session has no polls.");
      return audience(actor, session, action);
    case "stream:view":
      if (!session.streamed) return deny(notStreamed(session));
      return audience(actor, session, action);
    case "hand:raise":
      if (!session.streamed) return deny(notStreamed(session));
      return audience(actor, session, action);
    case "feedback:give":
      if (!interactive) return deny("This part of the programme has no feedback survey.");
      return audience(actor, session, action);
  }
  return deny(`Nobody may ${actions[action]}.`);
}

function notStreamed(session: PolicySession): string {
  return session.rule === "chatham_house"
    ? "This session is held under the Chatham House Rule: it is in the room only and never streamed."
    : "This session is not streamed.";
}

/** Registered participants take part everywhere; a device that joined with a code, only in that session. */
function audience(actor: Actor, session: PolicySession, action: Action): Decision {
  if (actor.kind === "person" || actor.isOrganizer) return ALLOW;
  if (hasSessionRole(actor, session.id, "attendee", "moderator", "panelist")) return ALLOW;
  return deny(`Enter this session's room code to ${actions[action]}.`);
}
