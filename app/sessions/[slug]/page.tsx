import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { SessionView } from "@/app/_components/session-view";
import type { QaAudienceProps } from "@/app/_components/qa/qa-audience";
import { pageActor } from "@/server/http/page-auth";
import { FeedbackPrompt } from "@/app/_components/admin/feedback-prompt";
import { RecordingsPanel } from "@/app/_components/stream/recordings-panel";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

async function load(slug: string) {
  const row = await getApp().agenda.findRow(slug);
  if (!row) notFound();
  return getApp().agenda.get(slug);
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row?.title ?? "Session not found" };
}

export default async function SessionPage({ params }: Params) {
  const { slug } = await params;
  const item = await load(slug);
  const app = getApp();
  const event = await app.agenda.eventInfo();
  // Only streamed sessions carry stream state (and load the player's code).
  const row = (await app.agenda.findRow(slug))!;
  const stream = row.streamed ? { snapshot: await app.streaming.snapshot(row), abilities: app.streaming.abilities(await pageActor(), row) } : undefined;
  const qa = await qaProps(slug);
  // The server decides who is in the room: a device that joined with the room code, or a person checked
  // in at the registration desk, is a phone in the ballroom; everyone else gets the remote layout.
  const actor = await pageActor();
  const audience = actor?.kind === "device" || actor?.checkedIn ? "room" : "remote";
  // Asked only of people who may see recordings at all, so a page view is never an audited refusal.
  const mayRecordings = row.streamed && (app.guard.allowed(actor, "recording:manage", row) || app.guard.allowed(actor, "recording:watch", row));
  const recordings = mayRecordings ? await app.streaming.recordings.list(actor, row) : null;
  return (
    <main id="main" className={`session-main session-main-${audience}`}>
      <SessionView event={event} item={item} serverNow={app.clock.now().toISOString()} stream={stream} qa={qa} audience={audience} />
      {/* The survey is for people signed in (or in the room): an anonymous page would only be refused. */}
      {recordings ? <RecordingsPanel initial={recordings} timeZone={event.timeZone} /> : null}
      {actor ? <FeedbackPrompt slug={slug} /> : null}
    </main>
  );
}

/** What the Q&A island needs: the viewer's abilities, never anyone else's identity. */
async function qaProps(slug: string): Promise<QaAudienceProps | null> {
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row?.qaEnabled) return null;
  const actor = await pageActor();
  const can = (a: Parameters<typeof app.guard.allowed>[1]) => app.guard.allowed(actor, a, row);
  const links: QaAudienceProps["links"] = [];
  if (can("question:moderate")) links.push({ href: `/sessions/${slug}/moderate`, label: "Moderate questions" });
  if (can("panel:view")) links.push({ href: `/sessions/${slug}/panel`, label: "Panelist view" });
  if (can("screen:view")) links.push({ href: `/sessions/${slug}/screen`, label: "Room screen" });
  // The asker's own name, for the "show my name" choice; under the Rule there is no such choice.
  const ownLabel = row.rule === "on_record" && actor?.name ? (actor.affiliation ? `${actor.name}, ${actor.affiliation}` : actor.name) : null;
  // The outbox key is this person's own, opaque (not their user id), and used for nothing but the
  // name of their queue in this browser's storage.
  const outboxKey = actor ? app.qa.outboxKey(actor) : null;
  return { slug, rule: row.rule, signedIn: Boolean(actor), canAsk: can("question:ask"), ownLabel, links, outboxKey, serverNow: app.clock.now().toISOString() };
}
