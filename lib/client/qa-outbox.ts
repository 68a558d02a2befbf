/**
 * The audience's side of the Q&A engine: questions and votes go to an outbox first (kept in
 * localStorage in the browser) and are sent one at a time when connected. An item leaves the outbox
 * only when the server acknowledged it (or refused it for good); a resend carries the same idempotency
 * key, so the server stores it once. The engine (qa-client.ts) owns the state; this part reads and
 * patches it through `OutboxHost`.
 */
import type { AckResult } from "../realtime/contract";
import { newClientKey, type SubmitResult, type VoteResult } from "../qa";
import { isRetryableFailure } from "../save-failures";
import type { OutboxItem, OutboxStore } from "./outbox-store";
import { isLocal, mergeMine, upsertMine, type QaClientState, type QaNotice } from "./qa-state";
import { TIMEOUT, request, type CommandSocket } from "./request";

/** What the outbox needs from the engine that holds the state. */
export interface OutboxHost {
  state(): QaClientState;
  set(patch: Partial<QaClientState>): void;
  notice(n: QaNotice): void;
  /** Bumped on every disconnect: an ack that outlived its connection says nothing reliable. */
  generation(): number;
  /** A sync is in flight: sending waits for it, so acks land on the fresh view. */
  syncing(): boolean;
}

export interface OutboxOptions {
  slug: string;
  store: OutboxStore;
  ackTimeoutMs: number;
  /** Whose queue to start with; undefined: taken from the first sync. */
  owner?: string;
}

export class QaOutbox {
  private flushing = false;
  private stopped = false;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private inFlight = new Set<string>();
  /** Whose outbox this client holds (undefined: not known yet; null: nobody signed in). */
  private owner: string | null | undefined;

  constructor(
    private readonly socket: CommandSocket & { readonly connected: boolean },
    private readonly host: OutboxHost,
    private readonly opts: OutboxOptions,
  ) {
    this.owner = opts.owner;
  }

  /** The queue stored for the person the page was rendered for. */
  initial(): OutboxItem[] {
    return this.owner ? this.opts.store.load(this.owner, this.opts.slug) : [];
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /**
   * The server says whose socket this is. Work queued under another person's key is not theirs: it
   * stays in storage under its own key (sent when that person is back, dropped when they sign out)
   * and this client takes the queue of the person now signed in. Returns the change to the state.
   */
  adoptOwner(key: string | null): Partial<QaClientState> {
    if (key === this.owner) return {};
    const s = this.host.state();
    const unknown = this.owner === undefined;
    const outbox = unknown ? s.outbox : key ? this.opts.store.load(key, this.opts.slug) : [];
    this.owner = key;
    if (unknown && key) this.opts.store.save(key, this.opts.slug, [...outbox]);
    return { outbox, failed: unknown ? s.failed : [], mine: s.mine.filter((m) => !isLocal(m)) };
  }

  /** The person signed out: what they queued goes. */
  drop(): void {
    if (this.owner) this.opts.store.save(this.owner, this.opts.slug, []);
    this.host.set({ outbox: [], failed: [], mine: this.host.state().mine.filter((m) => !isLocal(m)) });
  }

  /** Queues a question; it is sent now if connected, else when the connection returns. Returns its key. */
  submit(text: string, anonymous: boolean): string {
    const item: OutboxItem = { kind: "submit", key: newClientKey(), text, anonymous, createdAt: new Date().toISOString() };
    this.enqueue(item);
    return item.key;
  }

  /** Sets this person's vote (optimistically), and queues it. */
  vote(questionId: string, up: boolean): void {
    const s = this.host.state();
    const myVotes = new Set(s.myVotes);
    if (myVotes.has(questionId) === up) return;
    if (up) myVotes.add(questionId);
    else myVotes.delete(questionId);
    const votes = { ...s.votes, [questionId]: Math.max(0, (s.votes[questionId] ?? 0) + (up ? 1 : -1)) };
    // A newer vote on the same question replaces one still waiting: only the last wish matters.
    const waiting = s.outbox.filter((i) => !(i.kind === "vote" && i.questionId === questionId && !this.inFlight.has(i.key)));
    this.enqueue({ kind: "vote", key: newClientKey(), questionId, up }, waiting, { myVotes, votes });
  }

  dismissFailure(key: string): void {
    this.host.set({ failed: this.host.state().failed.filter((f) => f.key !== key) });
  }

  private enqueue(item: OutboxItem, waiting = this.host.state().outbox, patch: Partial<QaClientState> = {}): void {
    const outbox = [...waiting, item];
    this.persist(outbox);
    const mine = this.host.state().mine;
    this.host.set({ ...patch, outbox, mine: item.kind === "submit" ? mergeMine(mine, [item]) : mine });
    void this.flush();
  }

  private dequeue(key: string): void {
    const outbox = this.host.state().outbox.filter((i) => i.key !== key);
    this.persist(outbox);
    this.host.set({ outbox });
  }

  private persist(outbox: readonly OutboxItem[]): void {
    if (this.owner) this.opts.store.save(this.owner, this.opts.slug, [...outbox]);
  }

  private later(ms: number): void {
    this.retryTimer = setTimeout(() => void this.flush(), ms);
  }

  /** Sends outbox items one at a time, in order, while connected. */
  async flush(): Promise<void> {
    const { host, socket } = this;
    if (this.flushing || host.syncing() || this.stopped || !socket.connected || !host.state().sessionId) return;
    this.flushing = true;
    try {
      while (socket.connected && !this.stopped) {
        const item = host.state().outbox[0];
        if (!item) break;
        const generation = host.generation();
        this.inFlight.add(item.key);
        const r = await this.send(item);
        this.inFlight.delete(item.key);
        if ((!r.ok && r.error.code === TIMEOUT) || generation !== host.generation()) {
          // Not known to be stored: it stays first in line and goes again with the same key, now if
          // still connected (a lost ack), else after the next connect.
          this.later(200);
          break;
        }
        if (host.state().stalled && (r.ok || !isRetryableFailure(r.error.code))) host.set({ stalled: false });
        if (r.ok) {
          this.acknowledged(item, r.data);
          continue;
        }
        if (r.error.code === "rate_limited") {
          this.later(r.error.retryAfterMs ?? 2000);
          break;
        }
        if (isRetryableFailure(r.error.code)) {
          if (!host.state().stalled) host.set({ stalled: true });
          this.later(3000);
          break;
        }
        this.refused(item, r.error.message);
      }
    } finally {
      this.flushing = false;
    }
  }

  private send(item: OutboxItem): Promise<AckResult<SubmitResult | VoteResult>> {
    const { slug, ackTimeoutMs } = this.opts;
    return item.kind === "submit"
      ? request(this.socket, "question:submit", { slug, key: item.key, text: item.text, anonymous: item.anonymous }, { timeoutMs: ackTimeoutMs })
      : request(this.socket, "question:vote", { slug, key: item.key, questionId: item.questionId, up: item.up }, { timeoutMs: ackTimeoutMs });
  }

  private acknowledged(item: OutboxItem, data: SubmitResult | VoteResult): void {
    this.dequeue(item.key);
    const s = this.host.state();
    if (item.kind === "submit") {
      const q = (data as SubmitResult).question;
      this.host.set({
        mine: upsertMine(
          s.mine.filter((m) => m.key !== item.key || m.id === q.id),
          q,
        ),
      });
      this.host.notice({ kind: "sent", question: q });
    } else {
      const v = data as VoteResult;
      // The ack carries the count right after this vote; later votes arrive with the next tick.
      if (!s.outbox.some((i) => i.kind === "vote" && i.questionId === v.questionId)) this.host.set({ votes: { ...s.votes, [v.questionId]: v.votes } });
    }
  }

  /** Refused for good (closed, too short, not allowed): tell the person, keep their words. */
  private refused(item: OutboxItem, message: string): void {
    this.dequeue(item.key);
    const s = this.host.state();
    if (item.kind === "submit") {
      this.host.set({
        failed: [...s.failed, { key: item.key, text: item.text, message }],
        mine: s.mine.filter((m) => m.key !== item.key || !m.id.startsWith("local:")),
      });
      this.host.notice({ kind: "failed", text: item.text, message });
    } else {
      const myVotes = new Set(s.myVotes);
      if (item.up) myVotes.delete(item.questionId);
      else myVotes.add(item.questionId);
      this.host.set({ myVotes });
      this.host.notice({ kind: "failed", text: "", message });
    }
  }
}
