import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { PollConsole } from "@/app/_components/polls/poll-console";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Polls: ${row.title}` : "Session not found" };
}

/** The poll console of one session, for its moderators and the organizers. */
export default async function PollConsolePage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  await requirePage("poll:manage", `/sessions/${slug}/polls`, row);
  return (
    <main id="main">
      <h1>Polls: {row.title}</h1>
      <PollConsole slug={slug} serverNow={app.clock.now().toISOString()} chathamHouse={row.rule === "chatham_house"} />
    </main>
  );
}
