/**
 * What the poll service reads often and keeps for a moment: launched polls' definitions (they never
 * change again), totals (reused for up to a tick unless this process wrote an answer since), the
 * context an answer is checked against, and the coalesced results broadcasts. Memory holds caches
 * only; the database stays the truth.
 */
import type { PollRow, SessionRow } from "../../db/schema";
import type { PollResults } from "../../lib/polls";
import type { Clock } from "../clock";
import type { Database } from "../../db/client";
import { errorName, type Logger } from "../log";
import { pollNotFound, trim } from "./lifecycle";
import type { PollPublisher } from "./publisher";
import * as q from "./queries";
import { definitionOf, projectResults, resultsPublic, tally, type PollDefinition } from "./rules";
import { AppError } from "../errors";
import { failureLog } from "../log-throttle";
import { roomTickMs } from "../broadcast-tick";

/** How long a session's policy may be reused for answers: a change (polls turned off) applies within this. */
const ANSWER_CONTEXT_MS = 2000;

/** What an answer is checked against: its poll, the poll's session and the poll's definition. */
type AnswerContext = { poll: PollRow; session: SessionRow; def: PollDefinition };

export class PollReads {
  private readonly definitions = new Map<string, PollDefinition>();
  private readonly pendingTicks = new Map<string, NodeJS.Timeout>();
  private readonly resultsCache = new Map<string, { at: number; generation: number; results: PollResults }>();
  /** Answers this process has written per poll: totals read before the latest one are not reused. */
  private readonly generations = new Map<string, number>();
  /** Kept from when its read began; a read in flight is shared, so a storm's first answers make one read, not one each. */
  private readonly answerContexts = new Map<string, { at: number; context: Promise<AnswerContext> }>();
  private stopped = false;
  /** Awaited before each results broadcast; the composition root makes it wait for the moderators' commands under way, as vote counts do. */
  beforeBroadcast: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly publish: PollPublisher,
    private readonly log: Logger,
    private readonly tickMs: number,
  ) {}

  stop(): void {
    this.stopped = true;
    for (const t of this.pendingTicks.values()) clearTimeout(t);
    this.pendingTicks.clear();
  }

  /** An answer was written here: totals read before it are stale. */
  answered(pollId: string): void {
    this.generations.set(pollId, (this.generations.get(pollId) ?? 0) + 1);
    trim(this.generations);
  }

  /** How long an answer's results wait to go out with the others: the tick, longer in a large room (server/broadcast-tick.ts). */
  resultsTick(sessionId: string): number {
    return roomTickMs(this.tickMs, this.publish.roomSize(sessionId));
  }

  /** Coalesces results broadcasts: at most one per poll per tick, whatever the number of answers. */
  scheduleResults(pollId: string, delay: number): void {
    if (this.stopped || this.pendingTicks.has(pollId)) return;
    const t = setTimeout(() => {
      this.pendingTicks.delete(pollId);
      this.broadcastResults(pollId).catch((err: unknown) => {
        if (!this.stopped) failureLog(this.log).warn("poll results broadcast failed", errorName(err), pollId, { err });
      });
    }, delay);
    t.unref();
    this.pendingTicks.set(pollId, t);
  }

  private async broadcastResults(pollId: string): Promise<void> {
    if (this.stopped) return;
    const found = await q.findPollWithSession(this.db, pollId);
    if (!found || found.poll.status === "draft" || !found.session.pollsEnabled) return;
    const results = await this.results(found.poll, found.session, false);
    await this.beforeBroadcast();
    if (this.stopped) return;
    this.publish.results(found.session.id, results, resultsPublic(found.poll));
  }

  /**
   * Totals through the one projection. Snapshots may reuse totals for up to a tick, unless this
   * process has written an answer since they were read (answers on other instances: the next tick).
   */
  async results(poll: PollRow, session: SessionRow, cached: boolean): Promise<PollResults> {
    const generation = this.generations.get(poll.id) ?? 0;
    const startedAt = Date.now();
    const hit = cached ? this.resultsCache.get(poll.id) : undefined;
    if (hit && hit.generation === generation && startedAt - hit.at < this.tickMs) return hit.results;
    const def = await this.definition(poll);
    const { groups, seq } = await q.answerGroups(this.db, poll.id);
    const results = projectResults(def, tally(def, groups), { chathamHouse: session.rule === "chatham_house", seq, at: this.clock.now() });
    // Reads may finish out of order: an older one never replaces a newer one.
    const prev = this.resultsCache.get(poll.id);
    if (!prev || (generation >= prev.generation && seq >= prev.results.seq)) this.resultsCache.set(poll.id, { at: startedAt, generation, results });
    trim(this.resultsCache);
    return results;
  }

  /** A poll's definition. Launched polls never change again, so theirs is kept in memory. */
  async definition(poll: PollRow, fresh = false): Promise<PollDefinition> {
    const hit = !fresh && poll.status !== "draft" ? this.definitions.get(poll.id) : undefined;
    if (hit) return hit;
    const def = definitionOf(poll, await q.listOptions(this.db, [poll.id]));
    if (poll.status !== "draft") {
      this.definitions.set(poll.id, def);
      trim(this.definitions);
    }
    return def;
  }

  async definitionsOf(rows: PollRow[]): Promise<Map<string, PollDefinition>> {
    const options = await q.listOptions(
      this.db,
      rows.map((r) => r.id),
    );
    return new Map(
      rows.map((r) => [
        r.id,
        definitionOf(
          r,
          options.filter((o) => o.pollId === r.id),
        ),
      ]),
    );
  }

  /**
   * What checking an answer needs: the poll's definition (frozen once launched), its session's policy
   * (kept for a moment, so a burst of answers costs one write each) and the poll's last known state.
   * Whether the poll is open is decided by the write itself, never from this.
   */
  answerContext(pollId: string): Promise<AnswerContext> {
    const hit = this.answerContexts.get(pollId);
    if (hit && Date.now() - hit.at < ANSWER_CONTEXT_MS) return hit.context;
    const entry = { at: Date.now(), context: this.readAnswerContext(pollId) };
    this.answerContexts.set(pollId, entry);
    trim(this.answerContexts);
    // A refusal (not found, not launched yet) or a fault is not kept: the next answer reads again.
    entry.context.catch(() => {
      if (this.answerContexts.get(pollId) === entry) this.answerContexts.delete(pollId);
    });
    return entry.context;
  }

  private async readAnswerContext(pollId: string): Promise<AnswerContext> {
    const found = await q.findPollWithSession(this.db, pollId);
    if (!found) throw pollNotFound();
    if (found.poll.status === "draft") throw new AppError("poll_not_open", "This poll has not been launched yet.");
    return { ...found, def: await this.definition(found.poll) };
  }
}
