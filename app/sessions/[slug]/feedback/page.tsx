import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { FeedbackFormView } from "@/app/_components/admin/feedback-form";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export const metadata: Metadata = { title: "Session feedback" };

export default async function FeedbackPage({ params }: Params) {
  const { slug } = await params;
  const app = getApp();
  const row = await app.agenda.findRow(slug);
  if (!row) notFound();
  const actor = await requirePage("feedback:give", `/sessions/${slug}/feedback`, row);
  const form = await app.feedback.form(actor, slug);
  return (
    <main id="main">
      <h1>Feedback: {form.title}</h1>
      <FeedbackFormView form={form} />
      <p>
        <a href={`/sessions/${slug}`}>Back to the session</a>
      </p>
    </main>
  );
}
