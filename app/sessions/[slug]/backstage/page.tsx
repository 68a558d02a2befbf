import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { Backstage } from "@/app/_components/stream/backstage";
import { getApp } from "@/server/context";
import { pageActor, refusePage } from "@/server/http/page-auth";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Backstage: ${row.title}` : "Session not found" };
}

/** Panelists and moderators (publishing) and organizers (running the stream) only. */
export default async function BackstagePage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  const actor = await pageActor();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(`/sessions/${slug}/backstage`)}`);
  // The policy's own reason goes to the person: on Day 1 that is the Chatham House Rule (never streamed), not their role.
  if (!app.guard.allowed(actor, "stream:publish", row) && !app.guard.allowed(actor, "stream:control", row)) await refusePage(actor, "stream:publish", row);
  return (
    <main id="main">
      <Backstage
        initial={await app.streaming.snapshot(row)}
        abilities={app.streaming.abilities(actor, row)}
        title={row.title}
        windowNotice={await app.streaming.windowRefusal(row)}
      />
    </main>
  );
}
