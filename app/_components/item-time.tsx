import { dayInZone, formatClock, formatShortDay, zoneAbbreviation } from "@/lib/time";

interface Props {
  startsAt: string;
  endsAt: string;
  zone: string;
  /** Event-local day the item belongs to; the local date is shown when it differs. */
  eventDay: string;
}

/** "08:00–08:30 EDT", plus the viewer's own date when the local day is not the event day. */
export function ItemTime({ startsAt, endsAt, zone, eventDay }: Props) {
  const localDay = dayInZone(new Date(startsAt), zone);
  const endDay = dayInZone(new Date(endsAt), zone);
  return (
    <span className="when">
      <time dateTime={startsAt}>{formatClock(startsAt, zone)}</time>–<time dateTime={endsAt}>{formatClock(endsAt, zone)}</time>{" "}
      <abbr title={zone}>{zoneAbbreviation(startsAt, zone)}</abbr>
      {localDay !== eventDay || endDay !== localDay ? (
        <span className="local-day" data-testid="local-day">
          {formatShortDay(startsAt, zone)}
          {endDay !== localDay ? ` – ${formatShortDay(endsAt, zone)}` : ""}
        </span>
      ) : null}
    </span>
  );
}
