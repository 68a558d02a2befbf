/**
 * The Q&A client engine, without React: it keeps one view of a session's questions in step with the
 * server and carries the audience's work across bad connections. The browser islands wrap it in a
 * hook (app/_components/qa/use-qa.ts); the integration, fault and benchmark scripts drive the very same class with
 * socket.io-client in Node.
 *
 * - Sync: on every (re)connect it asks `qa:sync` with the version it holds and gets what changed, or
 *   a snapshot. Facts that arrive while a sync is in flight are held and applied after it.
 * - Outbox (qa-outbox.ts): questions and votes are queued and sent one at a time when connected.
 * - Staff commands (qa-staff.ts) are sent at once and resent with the same key after a reconnect.
 * - The state and the pure functions that fold facts into it live in qa-state.ts.
 */
import type { AckResult } from "../realtime/contract";
import type { ModerationResult, QaCounts, QaState, QaSync, QaView } from "../qa";
import type { ModerationAction } from "../schemas/qa";
import { memoryStore, type OutboxStore } from "./outbox-store";
import { QaOutbox } from "./qa-outbox";
// The pure rules that fold facts into the state, kept under one name so they read apart from the engine's methods.
import * as fold from "./qa-state";
import type { Applied, QaClientState, QaNotice } from "./qa-state";
import { sendStaff, type StaffCall, type StaffCommand, type StaffPayload } from "./qa-staff";
import { SYNC_TIMEOUT_MS, TIMEOUT, listen, request, syncRetryMs, type CommandSocket, type FactSocket } from "./request";

/** The part of a socket.io client socket this engine uses (a typed `PlenarySocket` is one). */
export type QaSocket = CommandSocket & FactSocket & { readonly connected: boolean };
/** The former name, kept for the Node tests that build the engine on an untyped socket. */
export type SocketLike = QaSocket;

// The engine's parts are one import away for the islands, tests and benches.
export { clearOutboxes, localStore, memoryStore, type OutboxItem, type OutboxStore } from "./outbox-store";
export { initialQaState, isConflict, isLocal, type QaClientState, type QaNotice, type QaStatus } from "./qa-state";
export type { StaffCommand, StaffPayload } from "./qa-staff";

export interface QaClientOptions {
  slug: string;
  /** Ask for a lesser view than the role allows (the room screen asks for the audience's). */
  view?: QaView;
  /**
   * The signed-in person's outbox key as the page received it. Work is queued under it and sent only
   * while the server confirms the socket's person has the same key. Without it (Node tools) the key
   * of the first sync is taken.
   */
  owner?: string;
  store?: OutboxStore;
  ackTimeoutMs?: number;
  onNotice?: (n: QaNotice) => void;
  /** "Now" by the server's clock (which may be simulated), in ms; decides `state.ended` between facts. */
  now?: () => number;
}

export class QaClient {
  private current: QaClientState;
  private listeners = new Set<() => void>();
  private syncing = false;
  private held: Array<() => void> = [];
  private retryTimer?: ReturnType<typeof setTimeout>;
  private endTimer?: ReturnType<typeof setTimeout>;
  private readonly ackTimeoutMs: number;
  private readonly outbox: QaOutbox;
  private unlisten?: () => void;
  private stopped = false;
  private generation = 0;

  constructor(
    private readonly socket: QaSocket,
    private readonly opts: QaClientOptions,
  ) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.outbox = new QaOutbox(
      socket,
      {
        state: () => this.current,
        set: (patch) => this.set(patch),
        notice: (n) => this.notice(n),
        generation: () => this.generation,
        syncing: () => this.syncing,
      },
      { slug: opts.slug, store: opts.store ?? memoryStore(), ackTimeoutMs: this.ackTimeoutMs, ...(opts.owner ? { owner: opts.owner } : {}) },
    );
    this.current = fold.initialQaState(socket.connected, this.outbox.initial());
  }

  // ── Subscription (useSyncExternalStore-compatible) ───────────────────────────────────────────────

  getState = (): QaClientState => this.current;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<QaClientState>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l();
  }

  private notice(n: QaNotice): void {
    this.opts.onNotice?.(n);
  }

  /** Applies a fact's change, then tells the person (a stale fact changes nothing). */
  private apply(applied: Applied | null): void {
    if (!applied) return;
    this.set(applied.patch);
    for (const n of applied.notices) this.notice(n);
  }

  // ── Life cycle ──────────────────────────────────────────────────────────────────────────────────

  start(): void {
    this.unlisten = listen(this.socket, {
      connect: () => void this.resync(),
      disconnect: () => {
        this.generation++;
        this.set({ status: "offline" });
      },
      "question:changed": (f) => this.fact(f.sessionId, () => this.apply(fold.applyQuestion(this.current, f.question, f.version, true))),
      "question:removed": (f) => this.fact(f.sessionId, () => this.apply(fold.applyRemoved(this.current, f.id, f.version, true))),
      "question:votes": (f) => this.fact(f.sessionId, () => this.set(fold.applyVotes(this.current, f.counts))),
      "qa:state": (f) => this.fact(f.sessionId, () => this.applyState(f.state, f.version, f.counts)),
      "question:mine": (f) => this.fact(f.sessionId, () => this.apply(fold.applyMine(this.current, f.question))),
      // The agenda decides when the session ends: an organizer moving the end moves the clock on the
      // panel and reopens (or closes) asking and voting, without a reload.
      "agenda:changed": ({ item }) => {
        if (item.slug !== this.opts.slug) return;
        const apply = () => {
          const current = this.current.state;
          if (!current || item.version < current.agendaVersion) return;
          this.setState({
            ...current,
            qaOpen: item.qaOpen,
            qaMode: item.qaMode,
            endsAt: item.endsAt,
            ended: this.now() >= Date.parse(item.endsAt),
            agendaVersion: item.version,
          });
        };
        // During a sync the answer may predate the change: apply it after.
        if (this.syncing) this.held.push(apply);
        else apply();
      },
      // The sign-in behind this socket ended (here or in another tab): what this person queued goes.
      "viewer:changed": ({ reason }) => {
        if (reason === "signed_out") this.outbox.drop();
      },
    });
    if (this.socket.connected) void this.resync();
  }

  stop(): void {
    this.stopped = true;
    this.outbox.stop();
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Sets the session's state (keeping the newest agenda seen), and `ended` once its end passes (the server refuses from then on anyway). */
  private setState(incoming: QaState, patch: Partial<QaClientState> = {}): void {
    const state = fold.mergeAgenda(this.current.state, incoming, this.now());
    this.set({ ...patch, state });
    if (this.endTimer) clearTimeout(this.endTimer);
    this.endTimer = undefined;
    if (state.ended || this.stopped) return;
    const ms = Date.parse(state.endsAt) - this.now();
    // setTimeout holds at most ~24.8 days; a later end is checked again then.
    this.endTimer = setTimeout(
      () => {
        const current = this.current.state;
        if (current) this.setState({ ...current, ended: this.now() >= Date.parse(current.endsAt) });
      },
      Math.min(Math.max(0, ms), 2 ** 31 - 1),
    );
    (this.endTimer as { unref?: () => void }).unref?.(); // Node tools: never keeps the process alive
  }

  private applyState(state: QaState, version: number, counts?: QaCounts): void {
    const stageChanged = this.current.state?.onStage !== state.onStage;
    this.setState(state, { version: Math.max(this.current.version, version), ...(counts ? { counts } : {}) });
    if (stageChanged) this.notice({ kind: "stage", question: state.onStage ? (this.current.questions.get(state.onStage) ?? null) : null });
    if (stageChanged && this.current.mine.length) this.set({ mine: fold.markOnStage(this.current.mine, state.onStage) });
  }

  /** Facts of other sessions (a socket may be in several) are ignored; facts during a sync wait for it. */
  private fact(sessionId: string, apply: () => void): void {
    if (this.current.sessionId && sessionId !== this.current.sessionId) return;
    if (this.syncing || !this.current.sessionId) this.held.push(apply);
    else apply();
  }

  private sync(since?: number) {
    const payload = { slug: this.opts.slug, ...(since !== undefined ? { since } : {}), ...(this.opts.view ? { view: this.opts.view } : {}) };
    return request(this.socket, "qa:sync", payload, { timeoutMs: Math.max(this.ackTimeoutMs, SYNC_TIMEOUT_MS) });
  }

  /** Loads the view (or what changed since the version held), then sends what waits in the outbox. */
  async resync(): Promise<void> {
    if (this.stopped || !this.socket.connected) return;
    const generation = this.generation;
    clearTimeout(this.retryTimer);
    this.syncing = true;
    this.held = [];
    // A refusal stays on screen while it is asked again, rather than blinking away at each try.
    if (this.current.status !== "refused") this.set({ status: "syncing" });
    let r = await this.sync(this.current.view && this.current.sessionId ? this.current.version : undefined);
    // A changed view (new roles) needs everything again.
    if (r.ok && r.data.kind === "changes" && r.data.view !== this.current.view) r = await this.sync();
    if (generation !== this.generation || this.stopped) return; // the connection dropped meanwhile: the next connect syncs again
    if (!r.ok) {
      this.syncing = false;
      const wait = syncRetryMs(r.error);
      if (wait !== null) this.retryTimer = setTimeout(() => void this.resync(), wait);
      // No answer or a rate limit is load, and the page says nothing; a refusal, or a fault it is
      // waiting out (the database briefly away), is said in the server's words until the view loads.
      if (r.error.code !== TIMEOUT && r.error.code !== "rate_limited") this.set({ status: "refused", refusal: r.error.message });
      return;
    }
    this.applySync(r.data);
    const held = this.held;
    this.held = [];
    this.syncing = false;
    for (const apply of held) apply();
    this.set({ status: "live", refusal: null });
    void this.outbox.flush();
  }

  private applySync(d: QaSync): void {
    // Settle whose outbox this is first: the sync merges that person's waiting work into the view.
    const owned = this.outbox.adoptOwner(d.outboxKey);
    this.set({ ...owned, ...fold.applySync({ ...this.current, ...owned }, d) });
    this.setState(d.state);
  }

  // ── Audience commands (through the outbox) ──────────────────────────────────────────────────────

  /** Queues a question; it is sent now if connected, else when the connection returns. Returns its key. */
  submit(text: string, anonymous: boolean): string {
    return this.outbox.submit(text, anonymous);
  }

  /** Sets this person's vote (optimistically), and queues it. */
  vote(questionId: string, up: boolean): void {
    this.outbox.vote(questionId, up);
  }

  /** Sends outbox items one at a time, in order, while connected. */
  flush(): Promise<void> {
    return this.outbox.flush();
  }

  dismissFailure(key: string): void {
    this.outbox.dismissFailure(key);
  }

  // ── Staff commands ──────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a staff command and waits for its ack (see qa-staff.ts). Applies the result (or, on
   * `version_conflict`, the fresh question the server sent) before resolving.
   */
  async command<E extends StaffCommand>(event: E, payload: StaffPayload<E>, deadlineMs = 30_000): Promise<AckResult<ModerationResult>> {
    // A plain `as`: TypeScript cannot pair a generic event with its payload inside the union.
    const call = { event, payload } as StaffCall;
    const r = await sendStaff(this.socket, call, { slug: this.opts.slug, ackTimeoutMs: this.ackTimeoutMs, deadlineMs, stopped: () => this.stopped });
    if (r.ok) {
      for (const q of r.data.questions) this.apply(fold.applyQuestion(this.current, q, r.data.version, false));
      this.applyState(r.data.state, r.data.version);
    } else if (fold.isConflict(r.error.code) && fold.isQuestionView(r.error.current)) {
      this.apply(fold.applyQuestion(this.current, r.error.current, this.current.version, false));
    }
    return r;
  }

  /** `expectedVersion`: the version the moderator decided on; a newer one is refused (`version_conflict`). */
  moderate(questionId: string, expectedVersion: number, action: ModerationAction) {
    return this.command("question:moderate", { questionId, expectedVersion, action });
  }

  answer(questionId: string, expectedVersion: number) {
    return this.command("question:answer", { questionId, expectedVersion });
  }
}
