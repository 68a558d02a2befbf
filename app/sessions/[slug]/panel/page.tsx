import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { isoInZone } from "@/lib/time";
import { PanelView } from "@/app/_components/qa/panel-view";
import { PanelPolls } from "@/app/_components/polls/panel-polls";
import { StreamRecStatus } from "@/app/_components/stream/stream-rec-status";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Panel: ${row.title}` : "Session not found" };
}

/** The panelists' view for a tablet or confidence monitor: the question queue, then live poll results. */
export default async function PanelPage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  const actor = await requirePage("panel:view", `/sessions/${slug}/panel`, row);
  const event = await app.agenda.getEvent();
  return (
    <main id="main" className="qa-panel">
      {row.streamed ? <StreamRecStatus initial={await app.streaming.snapshot(row)} placement="top" /> : null}
      <PanelView
        slug={row.slug}
        title={row.title}
        rule={row.rule}
        endsAt={isoInZone(row.endsAt, event.timeZone)}
        serverNow={app.clock.now().toISOString()}
        viewerId={actor.userId}
        viewerName={actor.name}
      />
      {row.pollsEnabled ? (
        <section className="qa-panel-polls" aria-labelledby="panel-polls-heading">
          <h2 id="panel-polls-heading">Polls</h2>
          <PanelPolls slug={row.slug} serverNow={app.clock.now().toISOString()} />
        </section>
      ) : null}
      {/* The site header is hidden on this view (nothing above the stage); this is the way out. */}
      <nav className="qa-panel-exit" aria-label="Leave the panel view">
        <Link href={`/sessions/${row.slug}`}>← Session page</Link> · <Link href="/">Agenda</Link>
      </nav>
    </main>
  );
}
