import { AgendaView } from "./_components/agenda-view";
import { CHATHAM_HOUSE_RULE_TEXT } from "@/lib/agenda";
import { formatDay } from "@/lib/time";
import { getApp } from "@/server/context";

export const dynamic = "force-dynamic";

export default async function AgendaPage() {
  const app = getApp();
  const [event, items] = await Promise.all([app.agenda.eventInfo(), app.agenda.list()]);
  const dayOne = items[0];
  const dayTwo = items.find((i) => i.day !== dayOne?.day);
  return (
    <main id="main">
      <h1>{event.name}</h1>
      <p className="theme">{event.theme}</p>
      <p>
        {event.venue}, {event.city} · {formatDay(event.startsAt, event.timeZone).replace(/ \d{4}$/, "")} and {formatDay(event.endsAt, event.timeZone)}
      </p>
      <div className="rules">
        <section className="rule-card" aria-labelledby="rule-day1">
          <h2 id="rule-day1">Day 1: Chatham House Rule</h2>
          <p>Every Day 1 session is held in the room only and is never streamed or recorded.</p>
          <p>
            <strong>The Rule:</strong> {CHATHAM_HOUSE_RULE_TEXT}
          </p>
        </section>
        <section className="rule-card" aria-labelledby="rule-day2">
          <h2 id="rule-day2">Day 2: hosted by {dayTwo?.host ?? "OUSD(A&S)"}</h2>
          <p>Day 2 is on the record and has a virtual component: its programme sessions are streamed live for remote participants.</p>
        </section>
      </div>
      <details>
        <summary>About the symposium</summary>
        {event.summary.split("\n\n").map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      </details>
      <AgendaView event={event} items={items} serverNow={app.clock.now().toISOString()} />
    </main>
  );
}
