import type { Metadata } from "next";
import { auditFilterFrom } from "@/lib/schemas/audit";
import { getApp } from "@/server/context";

export const metadata: Metadata = { title: "Audit log" };

function show(v: unknown): string {
  return v === null || v === undefined ? "" : JSON.stringify(v);
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const raw = await searchParams;
  const parsed = auditFilterFrom(raw);
  const f = parsed.success ? parsed.data : { limit: 100 };
  const app = getApp();
  const [entries, items] = await Promise.all([
    app.audit.list({
      sessionSlug: "session" in f ? f.session : undefined,
      action: "action" in f ? f.action : undefined,
      actor: "actor" in f ? f.actor : undefined,
      outcome: "outcome" in f ? f.outcome : undefined,
      beforeId: "before" in f ? f.before : undefined,
      limit: f.limit,
    }),
    app.agenda.list(),
  ]);
  const tz = (await app.agenda.getEvent()).timeZone;
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
                  <time dateTime={e.at.toISOString()}>{new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "medium" }).format(e.at)}</time>
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
