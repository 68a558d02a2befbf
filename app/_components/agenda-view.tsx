"use client";
import { useMemo } from "react";
import { CHATHAM_HOUSE_BADGE, kindLabels, liveStatuses, type AgendaItem, type EventInfo } from "@/lib/agenda";
import { formatDay } from "@/lib/time";
import { ItemTime } from "./item-time";
import { RuleBadges } from "./rule-badges";
import { TimeZoneToggle } from "./time-zone-toggle";
import { useLiveAgenda } from "./use-live-agenda";
import { useServerClock } from "./use-server-clock";
import { useTimeZoneChoice } from "./use-time-zone";

interface Props {
  event: EventInfo;
  items: AgendaItem[];
  serverNow: string;
}

export function AgendaView({ event, items: initial, serverNow }: Props) {
  const { items, lastChange, live: connected } = useLiveAgenda(initial);
  const now = useServerClock(serverNow);
  const tz = useTimeZoneChoice(event.timeZone);
  const statuses = useMemo(() => liveStatuses(items, now), [items, now]);
  const days = useMemo(() => {
    const byDay = new Map<string, AgendaItem[]>();
    for (const item of items) byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]);
    return [...byDay.entries()];
  }, [items]);
  const live = items.find((i) => statuses.get(i.slug) === "live");
  const next = items.find((i) => statuses.get(i.slug) === "next");

  return (
    <>
      <div className="toolbar" data-live={connected ? "connected" : "connecting"}>
        <TimeZoneToggle choice={tz.choice} onChange={tz.setChoice} eventZone={event.timeZone} viewerZone={tz.viewerZone} sampleInstant={event.startsAt} />
        <a href="/agenda.ics" download>
          Add the whole programme to your calendar (.ics)
        </a>
      </div>
      <p role="status" className="muted" data-testid="now-status">
        {live ? `Live now: ${live.title}.` : "Nothing is live right now."} {next ? `Up next: ${next.title}.` : ""}
      </p>
      <p className="visually-hidden" aria-live="polite" data-testid="agenda-announcer">
        {lastChange ? `Agenda updated: ${lastChange.title}.` : ""}
      </p>
      {days.map(([day, dayItems], index) => {
        const first = dayItems[0];
        const headingId = `day-${day}`;
        // A day wholly under the Chatham House Rule says so once, with its legend, not on every row.
        const chathamDay = dayItems.every((i) => i.rule === "chatham_house");
        return (
          <section key={day} aria-labelledby={headingId}>
            <h2 id={headingId} className="day-heading">
              Day {index + 1} · {formatDay(first.startsAt, event.timeZone)}
            </h2>
            {chathamDay ? (
              <div className="day-legend" data-testid="chatham-legend">
                <p className="chatham-mark">{CHATHAM_HOUSE_BADGE}</p>
                <p>
                  Every session of this day is held under the Chatham House Rule, in the room only: never streamed, never recorded, and questions are always
                  anonymous. <a href="#rule-day1">What the Rule means</a>
                </p>
              </div>
            ) : (
              <p className="day-note">
                {first.rule === "chatham_house"
                  ? "In the room only, under the Chatham House Rule: never streamed, never recorded."
                  : `Hosted by ${first.host}, with a virtual component: programme sessions are streamed live.`}
              </p>
            )}
            <ol className="agenda">
              {dayItems.map((item) => {
                const status = statuses.get(item.slug);
                const titleId = `t-${item.slug}`;
                return (
                  <li
                    key={item.slug + ":" + item.version}
                    className={`agenda-item${status === "live" ? " is-live" : ""}${lastChange?.slug === item.slug ? " changed" : ""}`}
                    aria-labelledby={titleId}
                    data-slug={item.slug}
                    data-status={status}
                  >
                    <ItemTime startsAt={item.startsAt} endsAt={item.endsAt} zone={tz.zone} eventDay={item.day} />
                    <div className="item-body">
                      <span className="kind">{kindLabels[item.kind]}</span>
                      <h3 id={titleId}>
                        <a href={`/sessions/${item.slug}`}>{item.title}</a>
                      </h3>
                      {item.topic ? <p>Topic: {item.topic}</p> : null}
                      {item.description ? <p className="description">{item.description}</p> : null}
                      <RuleBadges item={item} status={status} ruleShownByDay={chathamDay} />
                    </div>
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
    </>
  );
}
