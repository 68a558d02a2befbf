import type { Metadata } from "next";
import { getApp } from "@/server/context";
import { requirePage } from "@/server/http/page-auth";
import { FeedbackQuestionsEditor } from "@/app/_components/admin/feedback-questions-editor";

export const metadata: Metadata = { title: "Session feedback questions" };

export default async function FeedbackQuestionsPage() {
  await requirePage("agenda:edit", "/admin/feedback");
  const questions = await getApp().feedback.questions();
  return (
    <main id="main">
      <h1>Session feedback</h1>
      <p>
        When a session ends, its attendees are invited to rate it from 1 to 5 and leave a comment. You may add up to three questions of your own, asked after
        every session. Answers are anonymous: nothing links them to a person or device. Results are on the dashboard and in the feedback export.
      </p>
      <FeedbackQuestionsEditor initial={questions} />
    </main>
  );
}
