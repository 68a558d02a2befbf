/** Reading polls: the snapshot each page (audience, console, panel, room screen) needs, in batches. */
import type { Database } from "../../db/client";
import type { SessionRow } from "../../db/schema";
import type { MyAnswer, PollEntry, PollResults, PollSnapshot } from "../../lib/polls";
import type { Actor } from "../auth/actor";
import type { Guard } from "../auth/guard";
import { answerInGroups, Batcher, type Pending } from "../batch";
import { sessionNotFound } from "../errors";
import type { PollReads } from "./reads";
import * as q from "./queries";
import { answerOf, toPollView, visibleTo } from "./rules";

/** A sync waiting for its batch. */
interface SyncCommand {
  actor: Actor | null;
  slug: string;
  screens?: ReadonlySet<string>;
}

/** A sync of a batch whose session was found, with what its viewer may do there. */
interface SyncItem {
  p: Pending<SyncCommand, PollSnapshot>;
  screen: boolean;
  viewer: { manage: boolean; viewResults: boolean; answer: boolean };
}

/** The most syncs answered in one batch. */
const SYNCS_PER_BATCH = 500;

export class PollSyncs {
  private readonly syncs: Batcher<SyncCommand, PollSnapshot>;

  /** `schedule`: when a batch of syncs is read (the poll service's: at once). */
  constructor(
    private readonly db: Database,
    private readonly guard: Guard,
    private readonly reads: PollReads,
    schedule: (job: () => Promise<void>) => Promise<void>,
  ) {
    this.syncs = new Batcher({ name: "poll_syncs", max: SYNCS_PER_BATCH, schedule, write: (batch) => this.writeSyncs(batch) });
  }

  sync(actor: Actor | null, slug: string, screens?: ReadonlySet<string>): Promise<PollSnapshot> {
    return this.syncs.add({ actor, slug, screens });
  }

  private async writeSyncs(batch: Array<Pending<SyncCommand, PollSnapshot>>): Promise<void> {
    const sessionsBySlug = new Map<string, Promise<SessionRow | undefined>>();
    await answerInGroups(
      batch,
      async (p) => {
        const { actor, slug, screens } = p.item;
        if (!sessionsBySlug.has(slug)) sessionsBySlug.set(slug, q.findSessionBySlug(this.db, slug));
        const session = await sessionsBySlug.get(slug)!;
        if (!session) throw sessionNotFound(slug);
        const screen = screens?.has(session.id) ?? false;
        const viewer = screen
          ? { manage: false, viewResults: this.guard.allowed(actor, "poll:view-results", session), answer: false }
          : this.viewer(actor, session);
        const item: SyncItem = { p, screen, viewer };
        return { key: session.id, group: session, item };
      },
      (session, items) => this.syncsOf(session, items),
    );
  }

  /** The answers to several syncs of one session: the polls and their totals are read once for all. */
  private async syncsOf(session: SessionRow, items: SyncItem[]): Promise<PollSnapshot[]> {
    // The counter is read before the polls: a change in between is then both in the snapshot and in
    // a later fact, which the client recognises by the poll's own version.
    const version = await q.sessionVersion(this.db, session.id);
    const rows = session.pollsEnabled ? await q.listPolls(this.db, session.id) : [];
    const defs = await this.reads.definitionsOf(rows);
    // Totals depend on the poll and the session only, never on who asks: read once, for those who may see them.
    const results = new Map<string, PollResults>();
    for (const row of rows) {
      if (items.some(({ viewer }) => visibleTo(viewer, row).results)) results.set(row.id, await this.reads.results(row, session, true));
    }
    const people = session.pollsEnabled ? [...new Set(items.flatMap(({ p, screen }) => (p.item.actor && !screen ? [p.item.actor.userId] : [])))] : [];
    const responses = await q.responsesOf(this.db, session.id, people);
    return items.map(({ p, screen, viewer }) => {
      const actor = p.item.actor;
      const polls: PollEntry[] = [];
      for (const row of rows) {
        const vis = visibleTo(viewer, row);
        if (!vis.poll) continue;
        polls.push({ poll: toPollView(row, defs.get(row.id)!), results: vis.results ? results.get(row.id)! : null });
      }
      const mine: MyAnswer[] = [];
      if (actor && session.pollsEnabled && !screen) {
        for (const r of responses.get(actor.userId) ?? []) {
          const def = defs.get(r.pollId);
          if (def) mine.push({ pollId: r.pollId, answer: answerOf(def, r), answeredAt: r.answeredAt.toISOString() });
        }
      }
      return { sessionId: session.id, slug: session.slug, chathamHouse: session.rule === "chatham_house", version, can: viewer, polls, mine };
    });
  }

  private viewer(actor: Actor | null, session: SessionRow) {
    return {
      manage: this.guard.allowed(actor, "poll:manage", session),
      viewResults: this.guard.allowed(actor, "poll:view-results", session),
      answer: this.guard.allowed(actor, "poll:answer", session),
    };
  }
}
