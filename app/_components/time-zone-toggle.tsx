"use client";
import { zoneAbbreviation } from "@/lib/time";
import type { ZoneChoice } from "./use-time-zone";

interface Props {
  choice: ZoneChoice;
  onChange: (c: ZoneChoice) => void;
  eventZone: string;
  viewerZone: string | null;
  /** An instant during the event, so the abbreviation is the one in force then (EDT, not EST). */
  sampleInstant: string;
}

export function TimeZoneToggle({ choice, onChange, eventZone, viewerZone, sampleInstant }: Props) {
  const eventAbbr = zoneAbbreviation(sampleInstant, eventZone);
  return (
    <fieldset className="tz-toggle">
      <legend>Show times in</legend>
      <label>
        <input type="radio" name="tz" value="event" checked={choice === "event"} onChange={() => onChange("event")} />
        Event time (Washington, {eventAbbr})
      </label>
      <label>
        <input type="radio" name="tz" value="local" checked={choice === "local"} onChange={() => onChange("local")} disabled={!viewerZone} />
        My time zone{viewerZone ? ` (${viewerZone.replace(/_/g, " ")})` : ""}
      </label>
    </fieldset>
  );
}
