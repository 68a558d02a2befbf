import type { Metadata } from "next";
import { auditFilterFrom, localMinuteIn } from "@/lib/schemas/audit";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { firstValues, type PageQuery } from "@/server/http/page-query";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Audit log" };

function show(v: unknown): string {
  return v === null || v === undefined ? "" : JSON.stringify(v);
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<PageQuery> }) {
  await requirePage("audit:read", "/admin/audit");
  const raw = firstValues(await searchParams);
  const app = getApp();
  const tz = (await app.agenda.getEvent()).timeZone;
  // The form's date-time fields are wall-clock minutes in event time; links may carry full ISO instants.
  const parsed = auditFilterFrom(raw, { localTimeZone: tz });
  const f = parsed.success ? parsed.data : { limit: 100 };
  const [entries, items] = await Promise.all([
    app.audit.list({
      sessionSlug: "session" in f ? f.session : undefined,
      action: "action" in f ? f.action : undefined,
      actor: "actor" in f ? f.actor : undefined,
      outcome: "outcome" in f ? f.outcome : undefined,
      from: "from" in f && f.from ? new Date(f.from) : undefined,
      to: "to" in f && f.to ? new Date(f.to) : undefined,
      beforeId: "before" in f ? f.before : undefined,
      limit: f.limit,
    }),
    app.agenda.list(),
  ]);
  const last = entries.at(-1);
  const next = new URLSearchParams(Object.entries(raw).filter(([k, v]) => k !== "before" && v) as [string, string][]);
  if (last) next.set("before", String(last.id));
  return (
    <main id="main">
      <h1>Audit log</h1>
      <p>Who did what, when, to which object: every organizer and moderator action and every refusal, newest first.</p>
      {!parsed.success ? (
        <p className="error" role="alert">
          The filter was not understood and was ignored.
        </p>
      ) : null}
      <form className="inline-form" method="get" aria-label="Filter the audit log">
        <label>
          Session
          <select name="session" defaultValue={raw.session ?? ""}>
            <option value="">All sessions</option>
            {items.map((i) => (
              <option key={i.slug} value={i.slug}>
                {i.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action contains
          <input name="action" defaultValue={raw.action ?? ""} />
        </label>
        <label>
          Who
          <input name="actor" defaultValue={raw.actor ?? ""} />
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={raw.outcome ?? ""}>
            <option value="">Any</option>
            <option value="ok">Done</option>
            <option value="refused">Refused</option>
          </select>
        </label>
        <label>
          From (event time)
          <input type="datetime-local" name="from" defaultValue={raw.from ? localMinuteIn(raw.from, tz) : ""} />
        </label>
        <label>
          To (event time)
          <input type="datetime-local" name="to" defaultValue={raw.to ? localMinuteIn(raw.to, tz) : ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Audit entries</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Object</th>
              <th scope="col">Before → after</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action} data-outcome={e.outcome}>
                <td>
                  <time dateTime={e.at.toISOString()}>
                    {new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "medium" }).format(e.at)}
                  </time>
                </td>
                <td>{e.actorLabel}</td>
                <td>{e.action}</td>
                <td>{e.outcome === "ok" ? "done" : `refused (${e.code})`}</td>
                <td>
                  {e.objectType ? `${e.objectType} ${e.objectId ?? ""}` : ""}
                  {e.sessionSlug && e.objectId !== e.sessionSlug ? ` in ${e.sessionSlug}` : ""}
                </td>
                <td>
                  <code>{show(e.before)}</code>
                  {e.after ? " → " : ""}
                  <code>{show(e.after)}</code>
                  {e.details ? <div className="muted">{show(e.details)}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {entries.length === f.limit ? <a href={`/admin/audit?${next.toString()}`}>Older entries</a> : null}
    </main>
  );
}
