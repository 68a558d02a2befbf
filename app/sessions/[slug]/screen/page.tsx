import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { formatAccessCode } from "@/server/auth/tokens";
import { requirePage } from "@/server/http/page-auth";
import { RoomScreen } from "@/app/_components/qa/room-screen";
import { ScreenCaptions } from "@/app/_components/captions/screen-captions";
import { ScreenPolls } from "@/app/_components/polls/screen-polls";
import { StreamRecStatus } from "@/app/_components/stream/stream-rec-status";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const row = await getApp().agenda.findRow(slug);
  return { title: row ? `Screen: ${row.title}` : "Session not found" };
}

/** The room's projector: join code, the question on stage and the running poll. Opened by staff on the room's computer. */
export default async function ScreenPage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  await requirePage("screen:view", `/sessions/${slug}/screen`, row);
  return (
    <main id="main" className="qa-screen">
      <RoomScreen
        slug={row.slug}
        title={row.title}
        rule={row.rule}
        code={row.qaEnabled && row.accessCode ? formatAccessCode(row.accessCode) : null}
        joinUrl={`${app.config.publicUrl}/join`}
        status={row.streamed ? <StreamRecStatus initial={await app.streaming.snapshot(row)} placement="inline" /> : null}
        captions={<ScreenCaptions slug={row.slug} />}
        poll={row.pollsEnabled ? <ScreenPolls slug={row.slug} serverNow={app.clock.now().toISOString()} /> : null}
      />
    </main>
  );
}
