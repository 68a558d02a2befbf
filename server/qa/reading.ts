/** Reading Q&A: the snapshot (or the changes since a version) each view needs, and similar questions. */
import type { QuestionRow, SessionRow } from "../../db/schema";
import type { QaSync, QaView, SimilarQuestion } from "../../lib/qa";
import { visibleTo } from "../../lib/qa-rules";
import { rankSimilar } from "../../lib/qa-similarity";
import type { CommandInput } from "../../lib/realtime/contract";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { answerInGroups, Batcher, type Pending } from "../batch";
import { projectQuestion } from "./projection";
import * as q from "./queries";
import type { QaContext, QaDeps } from "./context";

/** A sync's answer, with the view it was given. */
export type ViewSync = QaSync & { view: QaView };

/** A sync waiting for its batch. */
interface SyncCommand {
  actor: Actor | null;
  input: CommandInput<"qa:sync">;
  requested?: QaView;
  screens?: ReadonlySet<string>;
  join?: JoinView;
}

/** Joins the socket to the rooms of a session's view (the socket handler knows the rooms). */
export type JoinView = (target: { sessionId: string; view: QaView }) => Promise<void> | void;

interface SyncItem {
  p: Pending<SyncCommand, ViewSync>;
  view: QaView;
  since?: number;
}

/** The most syncs answered in one batch. */
const SYNCS_PER_BATCH = 500;

export class QaReading {
  private readonly syncs: Batcher<SyncCommand, ViewSync>;

  constructor(
    private readonly deps: QaDeps,
    private readonly ctx: QaContext,
  ) {
    this.syncs = new Batcher({
      name: "qa_syncs",
      max: SYNCS_PER_BATCH,
      // Syncs take the front lane: a page shows nothing and sends nothing until its sync is
      // answered, and after a crash every page of the dead instance syncs at once behind the
      // questions and votes queued meanwhile. One batch answers them all, so it is cheap to let it pass.
      schedule: (job) => deps.gate.run(job, "staff"),
      write: (batch) => this.writeSyncs(batch),
    });
  }

  /**
   * The snapshot a view needs, or only what changed since `since` when the client holds a version.
   * `screens` are the sessions this socket joined as a room screen: there it gets the audience's view,
   * whatever it asks for. `join` runs once the view is allowed and before anything is read: a change
   * committed after the read is then announced to this socket too (the client holds facts that arrive
   * during its sync and applies them after, skipping what the answer already has). Joining after the
   * read would lose a change committed between the two, on Postgres where commands run concurrently.
   *
   * Syncs are answered in batches (server/batch.ts): a room of phones opening the page at once, or
   * reconnecting after a restart, costs a few reads of the session's questions, not a few per phone.
   */
  sync(actor: Actor | null, input: CommandInput<"qa:sync">, screens?: ReadonlySet<string>, join?: JoinView): Promise<ViewSync> {
    return this.syncs.add({ actor, input, requested: input.view, screens, join });
  }

  private async writeSyncs(batch: Array<Pending<SyncCommand, ViewSync>>): Promise<void> {
    const sessionsBySlug = new Map<string, Promise<SessionRow>>();
    await answerInGroups(
      batch,
      async (p) => {
        const { actor, input, requested, screens } = p.item;
        const { slug, since } = input;
        if (!sessionsBySlug.has(slug)) sessionsBySlug.set(slug, this.ctx.session(slug));
        const session = await sessionsBySlug.get(slug)!;
        const view = this.ctx.viewFor(actor, session, screens?.has(session.id) ? "audience" : requested);
        if (!view) {
          await this.deps.guard.require(actor, "question:vote", session);
          throw new AppError("forbidden", "You cannot see the questions of this session.");
        }
        await p.item.join?.({ sessionId: session.id, view });
        return { key: session.id, group: session, item: { p, view, since } };
      },
      (session, items) => this.syncsOf(session, items),
    );
  }

  /** The answers to several syncs of one session: what they share is read once. */
  private async syncsOf(session: SessionRow, items: SyncItem[]): Promise<ViewSync[]> {
    const db = this.deps.db;
    // Read the version before the questions: a change committed in between shows up twice, never not at all.
    let qa = await q.getQaSession(db, session.id);
    if (!qa) {
      await q.ensureQaSession(db, session.id);
      qa = (await q.getQaSession(db, session.id))!;
    }
    const people = [...new Set(items.flatMap(({ p }) => (p.item.actor ? [p.item.actor.userId] : [])))];
    const [mineBy, votesBy] = await Promise.all([q.questionsBy(db, session.id, people), q.votesOf(db, session.id, people)]);
    const state = await this.ctx.state(session, qa);
    const shared = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      if (!shared.has(key)) shared.set(key, read());
      return shared.get(key) as Promise<T>;
    };
    const answers: ViewSync[] = [];
    for (const { p, view, since } of items) {
      const actor = p.item.actor;
      const panelists = view === "audience" ? [] : await once("panelists", () => q.panelistsOf(db, session.id));
      const names = new Map(panelists.map((x) => [x.id, x.name]));
      const visible = await once(`visible ${view === "staff"}`, () =>
        q.listQuestions(db, session.id, view === "staff" ? undefined : (["approved", "answered"] as const)),
      );
      const base = {
        sessionId: session.id,
        slug: session.slug,
        view,
        version: qa.version,
        state,
        votes: await once(`votes ${view === "staff"}`, async () => Object.fromEntries(visible.map((r) => [r.id, r.voteCount]))),
        myVotes: actor ? votesBy.get(actor.userId)! : [],
        mine: await this.ctx.ownQuestions(actor ? mineBy.get(actor.userId)! : [], qa.onStageQuestionId),
        panelists: view === "staff" ? panelists : [],
        counts: view === "staff" ? await once("counts", () => q.counts(db, session.id)) : null,
        outboxKey: actor ? this.ctx.outboxKey(actor) : null,
      };
      if (since !== undefined && since <= qa.version) {
        const changed = await once(`since ${since}`, () => q.listChangedSince(db, session.id, since));
        answers.push({
          ...base,
          kind: "changes",
          since,
          questions: changed.filter((r) => visibleTo(view, r.status)).map((r) => projectQuestion(r, view, names)),
          // Only questions this view could have shown at `since`: one it never could (still pending,
          // dismissed or merged before it was ever approved) is not even named.
          removed: changed.filter((r) => !visibleTo(view, r.status) && shownBy(r, since)).map((r) => r.id),
        });
      } else {
        // One projection per view for the whole batch (panelists' names are the same for everyone).
        const questions = await once(`snapshot ${view}`, async () => visible.map((r) => projectQuestion(r, view, names)));
        answers.push({ ...base, kind: "snapshot", questions });
      }
    }
    return answers;
  }

  /** Approved questions like the one being typed, so the asker can upvote instead. Computed here, on the server. */
  async similar(actor: Actor | null, { slug, text }: CommandInput<"question:similar">): Promise<SimilarQuestion[]> {
    const session = await this.ctx.session(slug);
    await this.deps.guard.require(actor, "question:ask", session);
    const candidates = await q.listQuestions(this.deps.db, session.id, ["approved"]);
    return rankSimilar(
      text,
      candidates.map((r) => ({ id: r.id, text: r.text, votes: r.voteCount })),
      { limit: 3 },
    );
  }
}

/** Whether the audience's (and panelists') view could have shown this question at version `since`. */
function shownBy(row: QuestionRow, since: number): boolean {
  return row.publishedSeq !== null && row.publishedSeq <= since;
}
