import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { SessionView } from "@/app/_components/session-view";
import { pageActor } from "@/server/http/page-auth";

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
  return (
    <main id="main">
      <SessionView event={event} item={item} serverNow={app.clock.now().toISOString()} stream={stream} />
    </main>
  );
}
