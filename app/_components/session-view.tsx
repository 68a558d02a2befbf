"use client";
import Link from "next/link";
import { useMemo } from "react";
import { CHATHAM_HOUSE_RULE_TEXT, kindLabels, liveStatuses, nonInteractiveKinds, type AgendaItem, type EventInfo } from "@/lib/agenda";
import { formatDay, formatDuration } from "@/lib/time";
import type { StreamAbilities, StreamSnapshot } from "@/lib/streaming";
import { ItemTime } from "./item-time";
import { LiveCaptions } from "./captions/live-captions";
import { SessionPolls } from "./polls/session-polls";
import { RuleBadges } from "./rule-badges";
import { StreamSection } from "./stream/stream-section";
import { TimeZoneToggle } from "./time-zone-toggle";
import { useLiveAgenda } from "./use-live-agenda";
import { useServerClock } from "./use-server-clock";
import { useTimeZoneChoice } from "./use-time-zone";
import { QaAudience, type QaAudienceProps } from "./qa/qa-audience";

interface Props {
  event: EventInfo;
  item: AgendaItem;
  serverNow: string;
  /** Streamed sessions only. */
  stream?: { snapshot: StreamSnapshot; abilities: StreamAbilities };
  /** The Q&A island's props, or null when the session has no Q&A. */
  qa?: QaAudienceProps | null;
  /**
   * Who is looking, as the server knows it: "room" for a device that joined with the room code (in
   * the ballroom: the ask box and the live poll first, no stream card); "remote" for everyone else.
   */
  audience?: "room" | "remote";
  /** Laid over the bottom of the video while watching (live captions mount here). */
}

/** Why a capability is missing here, in one sentence, or null when the session offers it. */
function unavailableReason(item: AgendaItem, what: "stream" | "qa" | "polls"): string | null {
  if (nonInteractiveKinds.includes(item.kind))
    return `Not available for this session: ${kindLabels[item.kind].toLowerCase()} has no ${what === "stream" ? "stream" : what === "qa" ? "Q&A" : "polls"}.`;
  if (what === "stream") {
    if (item.rule === "chatham_house")
      return "Not available for this session: it is held under the Chatham House Rule, in the room only, and is never streamed or recorded.";
    if (!item.streamed) return "Not available for this session: it is not streamed.";
  }
  if (what === "qa" && !item.qaEnabled) return "Not available for this session: the organizers have not enabled Q&A.";
  if (what === "polls" && !item.pollsEnabled) return "Not available for this session: the organizers have not enabled polls.";
  return null;
}

export function SessionView({ event, item: initial, serverNow, stream: streamProps, qa: qaProps, audience = "remote" }: Props) {
  const { items, live } = useLiveAgenda([initial]);
  const item = items.find((i) => i.slug === initial.slug) ?? initial;
  const now = useServerClock(serverNow);
  const tz = useTimeZoneChoice(event.timeZone);
  const status = useMemo(() => {
    const s = liveStatuses([item], now).get(item.slug);
    return s === "next" ? "upcoming" : s;
  }, [item, now]);
  const stream = unavailableReason(item, "stream");
  const qa = unavailableReason(item, "qa");
  const polls = unavailableReason(item, "polls");

  const inRoom = audience === "room";
  // Stream-first (theater) when there is a stream to watch (a video server is there) and the viewer
  // is not in the room; without one the page keeps its plain layout and says why.
  const theater = !inRoom && !stream && Boolean(streamProps?.snapshot.available);
  const pollsSection = (
    <section className="panel-section polls-section" aria-labelledby="polls-heading" id="polls">
      <h2 id="polls-heading">Polls</h2>
      {polls ? <p className="unavailable">{polls}</p> : <SessionPolls slug={item.slug} serverNow={serverNow} />}
    </section>
  );
  // In the room the live poll sits right under the ask box, inside the Q&A island.
  const qaSection = (
    <section className="panel-section" aria-labelledby="qa-heading">
      <h2 id="qa-heading">Questions &amp; answers</h2>
      {qa || !qaProps ? (
        <p className="unavailable">{qa ?? "Not available for this session."}</p>
      ) : (
        <QaAudience {...qaProps} afterAsk={inRoom ? pollsSection : undefined} />
      )}
    </section>
  );
  const pollsInQa = inRoom && !qa && Boolean(qaProps);
  const details = (
    <>
      {item.topic ? <p>Topic: {item.topic}</p> : null}
      {item.description ? <p>{item.description}</p> : null}
      <div className="toolbar">
        <TimeZoneToggle choice={tz.choice} onChange={tz.setChoice} eventZone={event.timeZone} viewerZone={tz.viewerZone} sampleInstant={item.startsAt} />
        <a href={`/sessions/${item.slug}/calendar.ics`} download>
          Add to calendar (.ics)
        </a>
      </div>
    </>
  );

  return (
    <article
      aria-labelledby="session-title"
      data-live={live ? "connected" : "connecting"}
      data-audience={audience}
      className={inRoom ? "session session-room" : theater ? "session session-theater" : "session"}
    >
      <header className="session-head">
        <p className="session-back">
          <Link href="/">← Agenda</Link>
        </p>
        <span className="kind">{kindLabels[item.kind]}</span>
        <h1 id="session-title">{item.title}</h1>
        <p aria-live="polite" data-testid="session-when" className="session-when">
          {formatDay(item.startsAt, event.timeZone)} · <ItemTime startsAt={item.startsAt} endsAt={item.endsAt} zone={tz.zone} eventDay={item.day} /> ·{" "}
          {formatDuration(Date.parse(item.endsAt) - Date.parse(item.startsAt))}
          {status === "live" ? " · Live now" : status === "past" ? " · Ended" : ""}
        </p>
        <RuleBadges item={item} status={status === "live" ? "live" : undefined} />
      </header>
      {item.rule === "chatham_house" ? (
        <p className="rule-card">
          <strong>Chatham House Rule.</strong> {CHATHAM_HOUSE_RULE_TEXT} Questions here are always anonymous.
        </p>
      ) : null}
      {inRoom ? (
        // The phone in the ballroom: ask and the live poll first; the stream card means nothing here.
        <>
          {qaSection}
          {pollsInQa ? null : pollsSection}
          {nonInteractiveKinds.includes(item.kind) ? null : <LiveCaptions slug={item.slug} />}
          <details className="session-about">
            <summary>About this session</summary>
            {details}
          </details>
        </>
      ) : theater ? (
        <>
          <div className="theater">
            <section className="theater-stage" aria-labelledby="stream-heading">
              <h2 id="stream-heading" className="visually-hidden">
                Live stream
              </h2>
              <StreamSection initial={streamProps!.snapshot} abilities={streamProps!.abilities} serverNow={serverNow} timeZone={event.timeZone} />
              {nonInteractiveKinds.includes(item.kind) ? null : <LiveCaptions slug={item.slug} />}
            </section>
            <div className="theater-side">
              {qaSection}
              {pollsSection}
            </div>
          </div>
          {details}
        </>
      ) : (
        <>
          {details}
          {nonInteractiveKinds.includes(item.kind) ? null : <LiveCaptions slug={item.slug} />}
          <div className={`session-grid${stream ? "" : " has-stream"}`}>
            <section className="panel-section" aria-labelledby="stream-heading">
              <h2 id="stream-heading">Live stream</h2>
              {stream || !streamProps ? (
                <p className="unavailable">{stream ?? "Not available for this session: it is not streamed."}</p>
              ) : (
                <StreamSection initial={streamProps.snapshot} abilities={streamProps.abilities} serverNow={serverNow} timeZone={event.timeZone} />
              )}
            </section>
            <div>
              {qaSection}
              {pollsSection}
            </div>
          </div>
        </>
      )}
    </article>
  );
}
