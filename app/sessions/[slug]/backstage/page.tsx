import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { Backstage } from "@/app/_components/stream/backstage";
import { getApp } from "@/server/context";
import { auditRefusal, pageActor, refusePage } from "@/server/http/page-auth";

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
  if (!app.guard.allowed(actor, "stream:publish", row) && !app.guard.allowed(actor, "stream:control", row)) {
    // The session's own staff are refused by its rule, not their role (on Day 1: the Chatham House Rule, never
    // streamed), so they read the policy's reason here; Next's 403 page cannot be told why.
    if (!app.guard.allowed(actor, "note:read", row)) await refusePage(actor, "stream:publish", row);
    const reason = await auditRefusal(actor, "stream:publish", row);
    return (
      <main id="main">
        <h1>Backstage: {row.title}</h1>
        <p className="rule-card" data-testid="refusal-reason">
          {reason}
        </p>
        <p>
          <Link href={`/sessions/${row.slug}`}>Back to the session</Link>
        </p>
      </main>
    );
  }
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
