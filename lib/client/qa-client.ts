/**
 * The Q&A client engine, without React: it keeps one view of a session's questions in step with the
 * server and carries the audience's work across bad connections. The browser islands wrap it in a
 * hook (app/_components/qa/use-qa.ts); the integration, fault and benchmark scripts drive the very same class with
 * socket.io-client in Node.
 *
 * - Sync: on every (re)connect it asks `qa:sync` with the version it holds and gets what changed, or
 *   a snapshot. Facts that arrive while a sync is in flight are held and applied after it.
 * - Outbox: questions and votes go to an outbox first (kept in localStorage in the browser) and are
 *   sent one at a time when connected; an item leaves the outbox only when the server acknowledged it
 *   (or refused it for good). A resend carries the same idempotency key, so the server stores it once.
 * - Staff commands are sent at once and, if the connection drops before the ack, resent with the
 *   same key after reconnecting: the server answers a repeated key with the stored result.
 */
import type { AckResult } from "../realtime/contract";
import {
  newClientKey,
  type ModerationResult,
  type OwnQuestion,
  type Panelist,
  type QaCounts,
  type QaState,
  type QaSync,
  type QaView,
  type QuestionView,
  type SubmitResult,
  type VoteResult,
} from "../qa";
import type { ModerationAction } from "../schemas/qa";
import { memoryStore, type OutboxItem, type OutboxStore } from "./outbox-store";
import { TIMEOUT, listen, request, type CommandName, type CommandSocket, type FactSocket, type PayloadOf } from "./request";
import { isRetryableFailure } from "../save-failures";

/** The part of a socket.io client socket this engine uses (a typed `PlenarySocket` is one). */
export type QaSocket = CommandSocket & FactSocket & { readonly connected: boolean };
/** The former name, kept for the Node tests that build the engine on an untyped socket. */
export type SocketLike = QaSocket;

/** The staff commands, sent with the session's slug and a fresh idempotency key. */
export type StaffCommand = "question:moderate" | "question:answer" | "qa:undo" | "qa:pause" | "qa:interleave" | "qa:configure";
export type StaffPayload<E extends StaffCommand> = Omit<PayloadOf<E>, "slug" | "key">;
type StaffCall = { [E in StaffCommand]: { event: E; payload: StaffPayload<E> } }[StaffCommand];

/** A refusal because the question changed since the moderator saw it (the server sends it as it is now). */
export function isConflict(code: string): boolean {
  return code === "version_conflict" || code === "conflict";
}

export { clearOutboxes, localStore, memoryStore, type OutboxItem, type OutboxStore } from "./outbox-store";

export type QaStatus = "connecting" | "syncing" | "live" | "offline" | "refused";

export interface QaClientState {
  status: QaStatus;
  /** Why the view cannot be shown (not signed in, no Q&A), in words. */
  refusal: string | null;
  view: QaView | null;
  sessionId: string | null;
  version: number;
  questions: ReadonlyMap<string, QuestionView>;
  votes: Readonly<Record<string, number>>;
  myVotes: ReadonlySet<string>;
  mine: readonly OwnQuestion[];
  outbox: readonly OutboxItem[];
  /** The server could not save the first outbox item (an outage): it stays queued and is tried again. */
  stalled: boolean;
  /** Questions the server refused for good (closed, too short), with its reason. */
  failed: ReadonlyArray<{ key: string; text: string; message: string }>;
  state: QaState | null;
  panelists: readonly Panelist[];
  counts: QaCounts | null;
}

/** Something a person should hear about (the islands announce these politely). */
export type QaNotice =
  | { kind: "question-added"; question: QuestionView }
  | { kind: "question-removed"; id: string }
  | { kind: "stage"; question: QuestionView | null }
  | { kind: "mine"; question: OwnQuestion; previous?: OwnQuestion }
  | { kind: "sent"; question: OwnQuestion }
  | { kind: "failed"; text: string; message: string };

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

const AUDIENCE_STATUSES = new Set(["approved", "answered"]);

export class QaClient {
  private current: QaClientState;
  private listeners = new Set<() => void>();
  private syncing = false;
  private held: Array<() => void> = [];
  private flushing = false;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private endTimer?: ReturnType<typeof setTimeout>;
  private readonly store: OutboxStore;
  private readonly ackTimeoutMs: number;
  private unlisten?: () => void;
  private stopped = false;
  private generation = 0;
  /** Whose outbox this client holds (undefined: not known yet; null: nobody signed in). */
  private owner: string | null | undefined;

  constructor(
    private readonly socket: QaSocket,
    private readonly opts: QaClientOptions,
  ) {
    this.store = opts.store ?? memoryStore();
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.owner = opts.owner;
    this.current = {
      status: socket.connected ? "syncing" : "connecting",
      refusal: null,
      view: null,
      sessionId: null,
      version: 0,
      questions: new Map(),
      votes: {},
      myVotes: new Set(),
      mine: [],
      outbox: opts.owner ? this.store.load(opts.owner, opts.slug) : [],
      stalled: false,
      failed: [],
      state: null,
      panelists: [],
      counts: null,
    };
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

  // ── Life cycle ──────────────────────────────────────────────────────────────────────────────────

  start(): void {
    this.unlisten = listen(this.socket, {
      connect: () => void this.resync(),
      disconnect: () => {
        this.generation++;
        this.set({ status: "offline" });
      },
      "question:changed": (f) => this.fact(f.sessionId, () => this.applyQuestion(f.question, f.version, true)),
      "question:removed": (f) => this.fact(f.sessionId, () => this.applyRemoved(f.id, f.version, true)),
      "question:votes": (f) => this.fact(f.sessionId, () => this.applyVotes(f.counts)),
      "qa:state": (f) => this.fact(f.sessionId, () => this.applyState(f.state, f.version, f.counts)),
      "question:mine": (f) => this.fact(f.sessionId, () => this.applyMine(f.question)),
      // The agenda decides when the session ends: an organizer moving the end moves the clock on the
      // panel and reopens (or closes) asking and voting, without a reload.
      "agenda:changed": ({ item }) => {
        if (item.slug !== this.opts.slug) return;
        const apply = () => {
          const current = this.current.state;
          if (!current || item.version < current.agendaVersion) return;
          this.setState({ ...current, qaOpen: item.qaOpen, qaMode: item.qaMode, endsAt: item.endsAt, ended: this.now() >= Date.parse(item.endsAt), agendaVersion: item.version });
        };
        // During a sync the answer may predate the change: apply it after.
        if (this.syncing) this.held.push(apply);
        else apply();
      },
      // The sign-in behind this socket ended (here or in another tab): what this person queued goes.
      "viewer:changed": ({ reason }) => {
        if (reason === "signed_out") this.dropOutbox();
      },
    });
    if (this.socket.connected) void this.resync();
  }

  stop(): void {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /**
   * Sets the session's state, and `ended` once its end passes (the server refuses from then on anyway).
   * The agenda's fields stay those of the newest agenda version seen (see `QaState.agendaVersion`).
   */
  private setState(incoming: QaState, patch: Partial<QaClientState> = {}): void {
    const current = this.current.state;
    const state =
      current && current.agendaVersion > incoming.agendaVersion
        ? { ...incoming, qaOpen: current.qaOpen, qaMode: current.qaMode, endsAt: current.endsAt, ended: this.now() >= Date.parse(current.endsAt), agendaVersion: current.agendaVersion }
        : incoming;
    this.set({ ...patch, state });
    if (this.endTimer) clearTimeout(this.endTimer);
    this.endTimer = undefined;
    if (state.ended || this.stopped) return;
    const ms = Date.parse(state.endsAt) - this.now();
    // setTimeout holds at most ~24.8 days; a later end is checked again then.
    this.endTimer = setTimeout(() => {
      const current = this.current.state;
      if (current) this.setState({ ...current, ended: this.now() >= Date.parse(current.endsAt) });
    }, Math.min(Math.max(0, ms), 2 ** 31 - 1));
    (this.endTimer as { unref?: () => void }).unref?.(); // Node tools: never keeps the process alive
  }

  /** Facts of other sessions (a socket may be in several) are ignored; facts during a sync wait for it. */
  private fact(sessionId: string, apply: () => void): void {
    if (this.current.sessionId && sessionId !== this.current.sessionId) return;
    if (this.syncing || !this.current.sessionId) this.held.push(apply);
    else apply();
  }

  private send<E extends CommandName>(event: E, payload: PayloadOf<E>) {
    return request(this.socket, event, payload, { timeoutMs: this.ackTimeoutMs });
  }

  /** Loads the view (or what changed since the version held), then sends what waits in the outbox. */
  async resync(): Promise<void> {
    if (this.stopped || !this.socket.connected) return;
    const generation = this.generation;
    this.syncing = true;
    this.held = [];
    this.set({ status: "syncing" });
    const since = this.current.view && this.current.sessionId ? this.current.version : undefined;
    let r = await this.send("qa:sync", { slug: this.opts.slug, ...(since !== undefined ? { since } : {}), ...(this.opts.view ? { view: this.opts.view } : {}) });
    // A changed view (new roles) needs everything again.
    if (r.ok && r.data.kind === "changes" && r.data.view !== this.current.view) {
      r = await this.send("qa:sync", { slug: this.opts.slug, ...(this.opts.view ? { view: this.opts.view } : {}) });
    }
    if (generation !== this.generation || this.stopped) return; // the connection dropped meanwhile: the next connect syncs again
    if (!r.ok && r.error.code === TIMEOUT) {
      this.syncing = false;
      this.retryTimer = setTimeout(() => void this.resync(), 2000);
      return;
    }
    if (!r.ok) {
      this.syncing = false;
      if (r.error.code === "rate_limited") {
        this.retryTimer = setTimeout(() => void this.resync(), r.error.retryAfterMs ?? 2000);
        return;
      }
      this.set({ status: "refused", refusal: r.error.message });
      return;
    }
    this.applySync(r.data);
    const held = this.held;
    this.held = [];
    this.syncing = false;
    for (const apply of held) apply();
    this.set({ status: "live" });
    void this.flush();
  }

  /**
   * The server says whose socket this is. Work queued under another person's key is not theirs: it
   * stays in storage under its own key (sent when that person is back, dropped when they sign out)
   * and this client takes the queue of the person now signed in.
   */
  private adoptOwner(key: string | null): void {
    if (key === this.owner) return;
    const unknown = this.owner === undefined;
    const outbox = unknown ? this.current.outbox : key ? this.store.load(key, this.opts.slug) : [];
    this.owner = key;
    if (unknown && key) this.store.save(key, this.opts.slug, [...outbox]);
    this.current = { ...this.current, outbox, failed: unknown ? this.current.failed : [], mine: this.current.mine.filter((m) => !isLocal(m)) };
  }

  private dropOutbox(): void {
    if (this.owner) this.store.save(this.owner, this.opts.slug, []);
    this.set({ outbox: [], failed: [], mine: this.current.mine.filter((m) => !isLocal(m)) });
  }

  private persist(outbox: readonly OutboxItem[]): void {
    if (this.owner) this.store.save(this.owner, this.opts.slug, [...outbox]);
  }

  private applySync(d: QaSync): void {
    this.adoptOwner(d.outboxKey);
    const questions = d.kind === "snapshot" ? new Map<string, QuestionView>() : new Map(this.current.questions);
    if (d.kind === "changes") for (const id of d.removed) questions.delete(id);
    for (const q of d.questions) {
      const held = questions.get(q.id);
      if (!held || held.version <= q.version) questions.set(q.id, q);
    }
    const votes: Record<string, number> = {};
    for (const [id, n] of Object.entries(d.votes)) votes[id] = n;
    const mine = mergeMine(d.mine, this.current.outbox);
    // Votes still waiting in the outbox are this person's latest wish: show them over the server's.
    const myVotes = new Set(d.myVotes);
    for (const item of this.current.outbox) if (item.kind === "vote") item.up ? myVotes.add(item.questionId) : myVotes.delete(item.questionId);
    this.set({
      view: d.view,
      sessionId: d.sessionId,
      version: Math.max(d.kind === "snapshot" ? 0 : this.current.version, d.version),
      questions,
      votes,
      myVotes,
      mine,
      panelists: d.panelists,
      counts: d.counts,
      refusal: null,
    });
    this.setState(d.state);
  }

  // ── Facts ───────────────────────────────────────────────────────────────────────────────────────

  private shows(q: QuestionView): boolean {
    return this.current.view === "staff" || AUDIENCE_STATUSES.has(q.status);
  }

  private applyQuestion(q: QuestionView, version: number, announce: boolean): void {
    const held = this.current.questions.get(q.id);
    if (held && held.version > q.version) return;
    const questions = new Map(this.current.questions);
    const votes = { ...this.current.votes };
    if (this.shows(q)) {
      questions.set(q.id, q);
      votes[q.id] = q.votes;
    } else {
      questions.delete(q.id);
    }
    this.set({ questions, votes, version: Math.max(this.current.version, version) });
    if (announce && !held && this.shows(q)) this.notice({ kind: "question-added", question: q });
    if (announce && held && !this.shows(q)) this.notice({ kind: "question-removed", id: q.id });
  }

  private applyRemoved(id: string, version: number, announce: boolean): void {
    if (!this.current.questions.has(id)) return;
    const questions = new Map(this.current.questions);
    questions.delete(id);
    this.set({ questions, version: Math.max(this.current.version, version) });
    if (announce) this.notice({ kind: "question-removed", id });
  }

  private applyVotes(counts: Array<[string, number]>): void {
    const votes = { ...this.current.votes };
    for (const [id, n] of counts) votes[id] = n;
    this.set({ votes });
  }

  private applyState(state: QaState, version: number, counts?: QaCounts): void {
    const stageChanged = this.current.state?.onStage !== state.onStage;
    this.setState(state, { version: Math.max(this.current.version, version), ...(counts ? { counts } : {}) });
    if (stageChanged) this.notice({ kind: "stage", question: state.onStage ? (this.current.questions.get(state.onStage) ?? null) : null });
    // Own questions show "on stage" too.
    if (stageChanged && this.current.mine.length) this.set({ mine: this.current.mine.map((m) => ({ ...m, onStage: m.id === state.onStage })) });
  }

  private applyMine(q: OwnQuestion): void {
    const previous = this.current.mine.find((m) => m.id === q.id);
    if (previous && previous.version > q.version) return;
    if (previous && previous.version === q.version && previous.onStage === q.onStage) return;
    this.set({ mine: upsertMine(this.current.mine, q) });
    this.notice({ kind: "mine", question: q, previous });
  }

  // ── Audience commands (through the outbox) ──────────────────────────────────────────────────────

  /** Queues a question; it is sent now if connected, else when the connection returns. Returns its key. */
  submit(text: string, anonymous: boolean): string {
    const item: OutboxItem = { kind: "submit", key: newClientKey(), text, anonymous, createdAt: new Date().toISOString() };
    this.enqueue(item);
    return item.key;
  }

  /** Sets this person's vote (optimistically), and queues it. */
  vote(questionId: string, up: boolean): void {
    const myVotes = new Set(this.current.myVotes);
    const had = myVotes.has(questionId);
    if (had === up) return;
    if (up) myVotes.add(questionId);
    else myVotes.delete(questionId);
    const votes = { ...this.current.votes, [questionId]: Math.max(0, (this.current.votes[questionId] ?? 0) + (up ? 1 : -1)) };
    this.set({ myVotes, votes });
    // A newer vote on the same question replaces one still waiting: only the last wish matters.
    const outbox = this.current.outbox.filter((i) => !(i.kind === "vote" && i.questionId === questionId && !this.inFlight.has(i.key)));
    this.current = { ...this.current, outbox };
    this.enqueue({ kind: "vote", key: newClientKey(), questionId, up });
  }

  private inFlight = new Set<string>();

  private enqueue(item: OutboxItem): void {
    const outbox = [...this.current.outbox, item];
    this.persist(outbox);
    this.set({ outbox, mine: item.kind === "submit" ? mergeMine(this.current.mine, [item]) : this.current.mine });
    void this.flush();
  }

  private dequeue(key: string): void {
    const outbox = this.current.outbox.filter((i) => i.key !== key);
    this.persist(outbox);
    this.set({ outbox });
  }

  /** Sends outbox items one at a time, in order, while connected. */
  async flush(): Promise<void> {
    if (this.flushing || this.syncing || this.stopped || !this.socket.connected || !this.current.sessionId) return;
    this.flushing = true;
    try {
      while (this.socket.connected && !this.stopped) {
        const item = this.current.outbox[0];
        if (!item) break;
        const generation = this.generation;
        this.inFlight.add(item.key);
        const r: AckResult<SubmitResult | VoteResult> =
          item.kind === "submit"
            ? await this.send("question:submit", { slug: this.opts.slug, key: item.key, text: item.text, anonymous: item.anonymous })
            : await this.send("question:vote", { slug: this.opts.slug, key: item.key, questionId: item.questionId, up: item.up });
        this.inFlight.delete(item.key);
        if ((!r.ok && r.error.code === TIMEOUT) || generation !== this.generation) {
          // Not known to be stored: it stays first in line and goes again with the same key, now if
          // still connected (a lost ack), else after the next connect.
          this.retryTimer = setTimeout(() => void this.flush(), 200);
          break;
        }
        if (this.current.stalled && (r.ok || !isRetryableFailure(r.error.code))) this.set({ stalled: false });
        if (r.ok) {
          this.dequeue(item.key);
          if (item.kind === "submit") {
            const q = (r.data as SubmitResult).question;
            this.set({ mine: upsertMine(this.current.mine.filter((m) => m.key !== item.key || m.id === q.id), q) });
            this.notice({ kind: "sent", question: q });
          } else {
            const v = r.data as VoteResult;
            // The ack carries the count right after this vote; later votes arrive with the next tick.
            if (!this.current.outbox.some((i) => i.kind === "vote" && i.questionId === v.questionId)) this.set({ votes: { ...this.current.votes, [v.questionId]: v.votes } });
          }
          continue;
        }
        if (r.error.code === "rate_limited") {
          this.retryTimer = setTimeout(() => void this.flush(), r.error.retryAfterMs ?? 2000);
          break;
        }
        if (isRetryableFailure(r.error.code)) {
          if (!this.current.stalled) this.set({ stalled: true });
          this.retryTimer = setTimeout(() => void this.flush(), 3000);
          break;
        }
        // Refused for good (closed, too short, not allowed): tell the person, keep their words.
        this.dequeue(item.key);
        if (item.kind === "submit") {
          this.set({ failed: [...this.current.failed, { key: item.key, text: item.text, message: r.error.message }], mine: this.current.mine.filter((m) => m.key !== item.key || !m.id.startsWith("local:")) });
          this.notice({ kind: "failed", text: item.text, message: r.error.message });
        } else {
          const myVotes = new Set(this.current.myVotes);
          if (item.up) myVotes.delete(item.questionId);
          else myVotes.add(item.questionId);
          this.set({ myVotes });
          this.notice({ kind: "failed", text: "", message: r.error.message });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  dismissFailure(key: string): void {
    this.set({ failed: this.current.failed.filter((f) => f.key !== key) });
  }

  // ── Staff commands ──────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a staff command with one idempotency key and waits for its ack, resending it after a
   * reconnect if the connection dropped first. Applies the result (or, on `version_conflict`, the
   * fresh state the server sent) before resolving.
   */
  command<E extends StaffCommand>(event: E, payload: StaffPayload<E>, deadlineMs = 30_000): Promise<AckResult<ModerationResult>> {
    // A plain `as`: TypeScript cannot pair a generic event with its payload inside the union.
    return this.sendStaff({ event, payload } as StaffCall, deadlineMs);
  }

  private async sendStaff(call: StaffCall, deadlineMs: number): Promise<AckResult<ModerationResult>> {
    const key = newClientKey();
    const until = Date.now() + deadlineMs;
    while (Date.now() < until && !this.stopped) {
      if (!this.socket.connected) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const r = await this.sendCall(call, key);
      if (!r.ok && r.error.code === TIMEOUT) continue;
      if (r.ok) this.applyResult(r.data);
      else if (isConflict(r.error.code) && isQuestionView(r.error.current)) this.applyQuestion(r.error.current, this.current.version, false);
      return r;
    }
    return { ok: false, error: { code: "unavailable", message: "No connection to the server: the action was not confirmed. Try again when the connection is back." } };
  }

  private sendCall(call: StaffCall, key: string): Promise<AckResult<ModerationResult>> {
    const base = { slug: this.opts.slug, key };
    switch (call.event) {
      case "question:moderate":
        return this.send(call.event, { ...base, ...call.payload });
      case "question:answer":
        return this.send(call.event, { ...base, ...call.payload });
      case "qa:undo":
        return this.send(call.event, { ...base, ...call.payload });
      case "qa:pause":
        return this.send(call.event, { ...base, ...call.payload });
      case "qa:interleave":
        return this.send(call.event, { ...base, ...call.payload });
      case "qa:configure":
        return this.send(call.event, { ...base, ...call.payload });
    }
  }

  private applyResult(result: ModerationResult): void {
    for (const q of result.questions) this.applyQuestion(q, result.version, false);
    this.applyState(result.state, result.version);
  }

  /** `expectedVersion`: the version the moderator decided on; a newer one is refused (`version_conflict`). */
  moderate(questionId: string, expectedVersion: number, action: ModerationAction) {
    return this.command("question:moderate", { questionId, expectedVersion, action });
  }

  answer(questionId: string, expectedVersion: number) {
    return this.command("question:answer", { questionId, expectedVersion });
  }
}

function upsertMine(list: readonly OwnQuestion[], q: OwnQuestion): OwnQuestion[] {
  const i = list.findIndex((m) => m.id === q.id || m.key === q.key);
  if (i < 0) return [...list, q];
  const copy = [...list];
  copy[i] = q;
  return copy;
}

/** Own questions from the server plus those still waiting in the outbox (shown as "waiting to send"). */
function mergeMine(server: readonly OwnQuestion[], outbox: readonly OutboxItem[]): OwnQuestion[] {
  const out = [...server];
  for (const item of outbox) {
    if (item.kind !== "submit" || out.some((m) => m.key === item.key)) continue;
    out.push({
      id: `local:${item.key}`,
      key: item.key,
      text: item.text,
      status: "pending",
      anonymous: item.anonymous,
      dismissReason: null,
      mergedInto: null,
      onStage: false,
      createdAt: item.createdAt,
      version: 0,
    });
  }
  return out;
}

function isQuestionView(x: unknown): x is QuestionView {
  return typeof x === "object" && x !== null && "id" in x && "version" in x && "status" in x;
}

export function isLocal(q: OwnQuestion): boolean {
  return q.id.startsWith("local:");
}
