import { createEvents, type EventAttributes } from "ics";
import type { AgendaItem, EventInfo } from "../../lib/agenda";
import { CHATHAM_HOUSE_RULE_TEXT, kindLabels } from "../../lib/agenda";

function utcArray(iso: string): [number, number, number, number, number] {
  const d = new Date(iso);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
}

function describe(item: AgendaItem): string {
  const lines = [kindLabels[item.kind] + (item.topic ? ` — Topic: ${item.topic}` : "")];
  if (item.description) lines.push(item.description);
  lines.push(
    item.rule === "chatham_house"
      ? `Held under the Chatham House Rule: in the room only, never recorded. ${CHATHAM_HOUSE_RULE_TEXT}`
      : `Hosted by ${item.host}.${item.streamed ? " Streamed live." : ""}`,
  );
  return lines.join("\n\n");
}

/** iCalendar (RFC 5545) text for the given items, instants in UTC, one VEVENT per item. */
export function agendaToIcs(event: EventInfo, items: AgendaItem[], publicUrl: string): string {
  const attrs: EventAttributes[] = items.map((item) => ({
    uid: `${item.slug}@${event.slug}.plenary`,
    start: utcArray(item.startsAt),
    startInputType: "utc",
    startOutputType: "utc",
    end: utcArray(item.endsAt),
    endInputType: "utc",
    endOutputType: "utc",
    title: item.title,
    description: describe(item),
    location: `${event.venue}, ${event.city}`,
    url: `${publicUrl}/sessions/${item.slug}`,
    categories: [kindLabels[item.kind]],
    status: "CONFIRMED",
    busyStatus: item.kind === "break" ? "FREE" : "BUSY",
    productId: "plenary/fms-2024",
    calName: event.name,
    sequence: item.version - 1,
  }));
  const { error, value } = createEvents(attrs, { productId: "plenary/fms-2024", calName: event.name });
  if (error || !value) throw error ?? new Error("could not build the calendar");
  return foldOctets(value);
}

/**
 * RFC 5545 §3.1: content lines are folded at 75 octets. The library folds at 75 characters, so a line
 * with "—" or a non-Latin name runs over; refold by octets, never inside a UTF-8 sequence.
 */
function foldOctets(text: string): string {
  const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n");
  return lines
    .map((line) => {
      const parts: string[] = [];
      let current = "";
      let octets = 0;
      for (const ch of line) {
        const size = Buffer.byteLength(ch, "utf8");
        const limit = parts.length === 0 ? 75 : 74; // a continuation line starts with one space
        if (octets + size > limit) {
          parts.push(current);
          current = "";
          octets = 0;
        }
        current += ch;
        octets += size;
      }
      parts.push(current);
      return parts.join("\r\n ");
    })
    .join("\r\n");
}
