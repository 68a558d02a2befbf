import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { ScreenPolls } from "@/app/_components/polls/screen-polls";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Room screen (polls): ${row.title}` : "Session not found" };
}

/**
 * The room screen showing only the running poll. The full room screen (/sessions/<slug>/screen)
 * places the same <ScreenPolls> island beside the question on stage.
 */
export default async function ScreenPollsPage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  await requirePage("screen:view", `/sessions/${slug}/screen/polls`, row);
  return (
    <main id="main" className="screen-main">
      <h1 className="screen-title">{row.title}</h1>
      <ScreenPolls slug={slug} serverNow={app.clock.now().toISOString()} />
    </main>
  );
}
