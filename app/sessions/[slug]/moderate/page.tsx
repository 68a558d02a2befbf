import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { ModerationConsole } from "@/app/_components/qa/moderation-console";
import { PanelNotes } from "@/app/_components/qa/panel-messages";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Moderate: ${row.title}` : "Session not found" };
}

/** The moderators' triage console (moderators and organizers of the session). */
export default async function ModeratePage({ params }: Params) {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  if (!row) notFound();
  await requirePage("question:moderate", `/sessions/${slug}/moderate`, row);
  return (
    <main id="main" className="qa-console-main">
      <ModerationConsole slug={row.slug} title={row.title} rule={row.rule} aside={<PanelNotes slug={row.slug} mode="send" />} />
    </main>
  );
}
