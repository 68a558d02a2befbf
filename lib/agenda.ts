/** The agenda as pages, the JSON API and socket facts carry it. Browser-safe. */

export type SessionKind = "registration" | "remarks" | "keynote" | "break" | "panel" | "meal" | "announcement" | "conversation" | "reception" | "wrap_up";

export type SessionRule = "chatham_house" | "on_record";
export type QaMode = "pre_moderated" | "open";

export interface EventInfo {
  slug: string;
  name: string;
  theme: string;
  summary: string;
  venue: string;
  city: string;
  timeZone: string;
  /** ISO date-times with offset of the first start and last end. */
  startsAt: string;
  endsAt: string;
}

export interface AgendaItem {
  slug: string;
  /** Event-local day, YYYY-MM-DD. */
  day: string;
  /** ISO 8601 in event time with its offset, e.g. 2024-05-23T08:00:00-04:00. */
  startsAt: string;
  endsAt: string;
  title: string;
  topic: string | null;
  description: string | null;
  kind: SessionKind;
  host: string;
  rule: SessionRule;
  streamed: boolean;
  recordingAllowed: boolean;
  qaEnabled: boolean;
  pollsEnabled: boolean;
  qaMode: QaMode;
  qaOpen: boolean;
  version: number;
}

export const kindLabels: Record<SessionKind, string> = {
  registration: "Registration",
  remarks: "Remarks",
  keynote: "Keynote",
  break: "Break",
  panel: "Panel",
  meal: "Meal",
  announcement: "Announcement",
  conversation: "Conversation",
  reception: "Reception",
  wrap_up: "Wrap-up",
};

/** Kinds that never carry audience interaction (no Q&A, no polls). */
export const nonInteractiveKinds: readonly SessionKind[] = ["registration", "break", "meal", "reception"];

export const CHATHAM_HOUSE_RULE_TEXT =
  "Participants are free to use the information received, but neither the identity nor the affiliation of the speaker(s), nor that of any other participant, may be revealed.";

export const CHATHAM_HOUSE_BADGE = "Chatham House Rule — in the room only, never recorded";

export type LiveStatus = "live" | "next" | "past" | "upcoming";

/** "live" for the item running at `now`, "next" for the first one still to start, by start time. */
export function liveStatuses(items: readonly Pick<AgendaItem, "slug" | "startsAt" | "endsAt">[], now: Date): Map<string, LiveStatus> {
  const t = now.getTime();
  const out = new Map<string, LiveStatus>();
  let next: { slug: string; start: number } | null = null;
  for (const item of items) {
    const start = Date.parse(item.startsAt);
    const end = Date.parse(item.endsAt);
    if (start <= t && t < end) out.set(item.slug, "live");
    else if (end <= t) out.set(item.slug, "past");
    else {
      out.set(item.slug, "upcoming");
      if (!next || start < next.start) next = { slug: item.slug, start };
    }
  }
  if (next) out.set(next.slug, "next");
  return out;
}
