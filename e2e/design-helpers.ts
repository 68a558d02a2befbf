/**
 * Set-ups for the design pass's layout specs and screenshots: a long question on stage, a poll with
 * many options running with answers, done through the services the way socket commands would.
 */
import type { Page } from "@playwright/test";
import { createPerson } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";
import type { PollView } from "../lib/polls";

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function actorOf(plenary: TestServer, spec: Parameters<typeof createPerson>[1]) {
  const p = await createPerson(plenary.services, spec);
  return (await plenary.services.auth.resolveToken(p.token)).actor;
}

export async function attendeeActor(plenary: TestServer, id = uniq()) {
  return actorOf(plenary, { name: `Attendee ${id}`, email: `attendee-${id}@example.org`, attendanceMode: "in_person" });
}

export async function moderatorActor(plenary: TestServer, slug: string) {
  const id = uniq();
  return actorOf(plenary, { name: `Mod ${id}`, email: `mod-${id}@example.org`, roles: [{ slug, role: "moderator" }] });
}

/** A question of exactly `length` characters, words of ordinary length, as the longest the limit allows. */
export function longQuestion(length = 500): string {
  const words =
    "How will the new exception to the standard foreign military sales process affect partner nations who already have letters of offer and acceptance in progress and what".split(
      " ",
    );
  let out = "";
  for (let i = 0; out.length < length; i++) out += (out ? " " : "") + words[i % words.length];
  return (
    out
      .slice(0, length - 1)
      .trimEnd()
      .padEnd(length - 1, "s") + "?"
  );
}

/** Asks `texts` as attendees and approves them; stages the first when `stage` is set. */
export async function approvedQuestions(plenary: TestServer, slug: string, texts: string[], options: { stage?: boolean } = {}) {
  const mod = await moderatorActor(plenary, slug);
  const ids: string[] = [];
  for (const text of texts) {
    const id = uniq();
    const asker = await actorOf(plenary, { name: `Asker ${id}`, email: `asker-${id}@example.org`, attendanceMode: "in_person" });
    const { question } = await plenary.services.qa.submit(asker, { slug, key: `k${id}`.slice(0, 20), text, anonymous: true });
    const approved = await plenary.services.qa.moderate(mod, {
      slug,
      key: `a${id}`.slice(0, 20),
      questionId: question.id,
      expectedVersion: question.version,
      action: { type: "approve" },
    });
    ids.push(question.id);
    if (options.stage && ids.length === 1) {
      const version = approved.questions.find((q) => q.id === question.id)!.version;
      await plenary.services.qa.moderate(mod, {
        slug,
        key: `s${id}`.slice(0, 20),
        questionId: question.id,
        expectedVersion: version,
        action: { type: "stage" },
      });
    }
  }
  return ids;
}

export const SIX_OPTIONS = [
  "Contracting speed and predictability",
  "Workforce and training",
  "Export policy and technology release",
  "Industrial base capacity",
  "Co-production with partners",
  "Sustainment and spare parts",
];

/** A single-choice poll opened now with live results, answered by `answers` attendees (option i gets i+1 answers, cycling). */
export async function runningPoll(plenary: TestServer, slug: string, question: string, options = SIX_OPTIONS, answers = 12): Promise<PollView> {
  const mod = await moderatorActor(plenary, slug);
  const poll = await plenary.services.polls.create(mod, {
    slug,
    clientKey: `poll-${uniq()}`.slice(0, 30),
    draft: { kind: "single", question, options, resultsVisibility: "live", durationSeconds: null },
    open: true,
  });
  for (let i = 0; i < answers; i++) {
    const id = uniq();
    const voter = await actorOf(plenary, { name: `Voter ${id}`, email: `voter-${id}@example.org`, attendanceMode: "in_person" });
    const option = poll.options[(i * 7 + (i % 3)) % poll.options.length];
    await plenary.services.polls.answer(voter, { pollId: poll.id, answer: { kind: "single", optionId: option.id } });
  }
  return poll;
}

/** Where the page's document stands against the viewport: does it scroll, where are the things that must show. */
export async function pageFit(page: Page) {
  return page.evaluate(() => ({
    scrollHeight: document.scrollingElement!.scrollHeight,
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerHeight: window.innerHeight,
    innerWidth: window.innerWidth,
  }));
}

/** Full-viewport screenshot into docs/screens/<SHOTS>-<name>.png when SHOTS (before/after) is set. */
export async function shoot(page: Page, name: string) {
  const prefix = process.env.SHOTS;
  if (!prefix) return;
  await page.screenshot({ path: `docs/screens/${prefix}-${name}.png`, fullPage: false });
}
