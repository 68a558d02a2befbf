/**
 * Raise hand: remote stakeholders ask to speak; moderators take requests first come first served and
 * promote one (microphone, optionally camera) or demote them again. The queue lives in Plenary's
 * database; LiveKit only receives the resulting permissions.
 */
import type { SessionRow } from "../../db/schema";
import type { HandQueue, MyHand } from "../../lib/streaming";
import type { Actor } from "../auth/actor";
import { AppError } from "../errors";
import { belongsTo, personKey, ROLE_ATTRIBUTE, roomNameFor, speakerPermission, viewerPermission } from "./grants";
import { isNotFound, livekitMessage } from "./livekit";
import * as q from "./queries";
import type { StreamingDeps, StreamingService } from "./service";

export class HandService {
  constructor(
    private readonly deps: StreamingDeps,
    private readonly streaming: StreamingService,
  ) {}

  async mine(actor: Actor | null, session: SessionRow): Promise<MyHand> {
    if (!actor) return { slug: session.slug, status: "none", camera: false };
    const open = await q.findOpenHand(this.deps.db, session.id, actor.userId);
    return { slug: session.slug, status: open?.status === "promoted" ? "promoted" : open ? "waiting" : "none", camera: open?.camera ?? false };
  }

  async raise(actor: Actor | null, session: SessionRow): Promise<MyHand> {
    await this.deps.guard.require(actor, "hand:raise", session);
    const stream = await q.findStream(this.deps.db, session.id);
    if (stream?.state !== "live") throw new AppError("not_live", "You can ask to speak while the stream is live.");
    const { row, created } = await q.raiseHand(this.deps.db, session.id, actor!.userId, this.deps.clock.now());
    const hand: MyHand = { slug: session.slug, status: row.status === "promoted" ? "promoted" : "waiting", camera: row.camera, reason: "raised" };
    if (created) {
      this.deps.publish.handChanged(actor!.userId, hand);
      await this.publishQueue(session);
    }
    return hand;
  }

  /** The requester takes their hand down (also ends their turn to speak). */
  async lower(actor: Actor | null, session: SessionRow): Promise<MyHand> {
    await this.deps.guard.require(actor, "hand:raise", session);
    const open = await q.findOpenHand(this.deps.db, session.id, actor!.userId);
    const hand: MyHand = { slug: session.slug, status: "none", camera: false, reason: "lowered" };
    if (!open) return hand;
    const moved = await q.moveHand(this.deps.db, open.id, ["waiting", "promoted"], "withdrawn", { by: actor!.userId, at: this.deps.clock.now() });
    if (moved && open.status === "promoted") await this.setPermissions(session, open.userId, "viewer");
    this.deps.publish.handChanged(actor!.userId, hand);
    await this.publishQueue(session);
    return hand;
  }

  async queue(actor: Actor | null, session: SessionRow): Promise<HandQueue> {
    await this.deps.guard.require(actor, "stream:control", session);
    return this.buildQueue(session);
  }

  /**
   * Gives the person the microphone (and camera) on every tab they watch with. The request moves to
   * "promoted" first, by itself (no transaction stays open while LiveKit answers); if LiveKit then
   * fails, or the person is not connected, it moves back to "waiting" and every tab of theirs gets
   * the viewer's permissions back.
   */
  async promote(actor: Actor | null, session: SessionRow, handId: string, camera: boolean): Promise<HandQueue> {
    await this.deps.guard.require(actor, "stream:control", session, { type: "hand", id: handId });
    const hand = await q.findHand(this.deps.db, handId);
    if (!hand || hand.sessionId !== session.id) throw new AppError("not_found", "That request to speak does not exist in this session.");
    if (hand.status !== "waiting") throw new AppError("conflict", "That request has already been handled. The list has been refreshed.");
    const name = (await q.findUserName(this.deps.db, hand.userId)) ?? "Participant";
    const moved = await q.moveHand(this.deps.db, handId, ["waiting"], "promoted", { by: actor!.userId, at: this.deps.clock.now(), camera });
    if (!moved) throw new AppError("conflict", "That request has already been handled. The list has been refreshed.");
    const changed: string[] = [];
    try {
      await this.setPermissions(session, hand.userId, "speaker", { camera, name }, changed);
      if (changed.length === 0)
        throw new AppError("conflict", `${name} is not watching the stream right now, so they cannot be given the microphone. Ask them to press Watch.`);
    } catch (err) {
      await this.undoPromotion(session, hand.id, hand.userId, changed);
      throw err;
    }
    // Ended meanwhile (a moderator demoted, the person lowered their hand) while LiveKit was busy:
    // that action has told the person; take back what this one just gave.
    if ((await q.findHand(this.deps.db, handId))?.status !== "promoted") {
      await this.setPermissions(session, hand.userId, "viewer");
      throw new AppError("conflict", `${name}'s turn was ended while they were being given the microphone. The list has been refreshed.`);
    }
    await this.audited(actor, session, "hand:promote", handId, { name, camera });
    this.deps.publish.handChanged(hand.userId, { slug: session.slug, status: "promoted", camera, reason: "promoted" });
    return this.publishQueue(session);
  }

  /**
   * A promotion LiveKit did not (fully) carry out: the request waits again (so new tokens are viewers'
   * again), then every connection of the person is set back to a viewer's permissions. A fresh list
   * also covers a tab whose change LiveKit made although its answer was lost; when LiveKit cannot
   * even list, the tabs known to be changed are restored one by one.
   */
  private async undoPromotion(session: SessionRow, handId: string, userId: string, changed: string[]): Promise<void> {
    await q.unpromoteHand(this.deps.db, handId);
    try {
      await this.setPermissions(session, userId, "viewer");
      return;
    } catch (err) {
      this.deps.log.warn("could not list the room to undo a promotion; restoring the tabs known to be changed", { err: livekitMessage(err) });
    }
    const room = roomNameFor(session.id);
    for (const identity of changed) {
      await this.streaming
        .livekit()
        .rooms.updateParticipant(room, identity, { permission: viewerPermission(), attributes: { [ROLE_ATTRIBUTE]: "viewer" } })
        .catch((err: unknown) => this.deps.log.error("could not take the microphone back after a failed promotion", { room, err: livekitMessage(err) }));
    }
  }

  /** Takes the microphone away again, or declines a waiting request. The person is told either way. */
  async demote(actor: Actor | null, session: SessionRow, handId: string): Promise<HandQueue> {
    await this.deps.guard.require(actor, "stream:control", session, { type: "hand", id: handId });
    const hand = await q.findHand(this.deps.db, handId);
    if (!hand || hand.sessionId !== session.id) throw new AppError("not_found", "That request to speak does not exist in this session.");
    const moved = await q.moveHand(this.deps.db, handId, ["waiting", "promoted"], "done", { by: actor!.userId, at: this.deps.clock.now() });
    if (!moved) throw new AppError("conflict", "That request has already been handled. The list has been refreshed.");
    if (moved && hand.status === "promoted") {
      try {
        await this.setPermissions(session, hand.userId, "viewer");
      } catch (err) {
        // LiveKit did not take the microphone away: the turn goes on, so the moderator can try again.
        await q.moveHand(this.deps.db, handId, ["done"], "promoted", { by: hand.decidedBy, at: hand.decidedAt ?? this.deps.clock.now(), camera: hand.camera });
        throw err;
      }
    }
    await this.audited(actor, session, "hand:demote", handId, { wasPromoted: hand.status === "promoted" });
    this.deps.publish.handChanged(hand.userId, { slug: session.slug, status: "none", camera: false, reason: "demoted" });
    return this.publishQueue(session);
  }

  /** Everyone still promoted loses the microphone when the stream ends. */
  async closeAll(session: SessionRow): Promise<void> {
    for (const h of await q.listOpenHands(this.deps.db, session.id)) {
      await q.moveHand(this.deps.db, h.id, ["waiting", "promoted"], "done", { at: this.deps.clock.now() });
      this.deps.publish.handChanged(h.userId, { slug: session.slug, status: "none", camera: false, reason: "demoted" });
    }
    await this.publishQueue(session);
  }

  /**
   * Applies speaker or viewer permissions to each of the person's connections. Each identity LiveKit
   * accepted is pushed to `changed` as it happens, so a caller still knows them when a later one fails.
   */
  private async setPermissions(
    session: SessionRow,
    userId: string,
    as: "speaker" | "viewer",
    opts: { camera?: boolean; name?: string } = {},
    changed: string[] = [],
  ): Promise<string[]> {
    const livekit = this.streaming.livekit();
    const room = roomNameFor(session.id);
    const key = personKey(this.deps.identitySecret, session.id, userId);
    let participants;
    try {
      participants = await livekit.rooms.listParticipants(room);
    } catch (err) {
      if (isNotFound(err)) return changed;
      throw new AppError("livekit_error", `LiveKit could not list the room: ${livekitMessage(err)}`);
    }
    for (const p of participants.filter((p) => belongsTo(p.identity, key))) {
      try {
        await livekit.rooms.updateParticipant(room, p.identity, {
          permission: as === "speaker" ? speakerPermission(opts.camera ?? false) : viewerPermission(),
          attributes: { [ROLE_ATTRIBUTE]: as },
          ...(opts.name ? { name: opts.name } : {}),
        });
        changed.push(p.identity);
      } catch (err) {
        if (isNotFound(err)) continue; // left meanwhile
        throw new AppError("livekit_error", `LiveKit could not change that person's permissions: ${livekitMessage(err)}`);
      }
    }
    return changed;
  }

  /** Whether a LiveKit identity belongs to someone whose request to speak is promoted now. */
  async isPromoted(session: SessionRow, identity: string): Promise<boolean> {
    const open = await q.listOpenHands(this.deps.db, session.id);
    return open.some((h) => h.status === "promoted" && belongsTo(identity, personKey(this.deps.identitySecret, session.id, h.userId)));
  }

  private async buildQueue(session: SessionRow): Promise<HandQueue> {
    // Streamed sessions are on the record (the database refuses a streamed Chatham House session),
    // so moderators see who asks; the check keeps it that way should that ever change.
    if (session.rule === "chatham_house") return { slug: session.slug, requests: [] };
    const rows = await q.listOpenHands(this.deps.db, session.id);
    return {
      slug: session.slug,
      requests: rows.map((r) => ({
        id: r.id,
        name: r.name ?? "Participant",
        affiliation: r.affiliation,
        raisedAt: r.raisedAt.toISOString(),
        status: r.status === "promoted" ? "promoted" : "waiting",
        camera: r.camera,
      })),
    };
  }

  private async publishQueue(session: SessionRow): Promise<HandQueue> {
    const queue = await this.buildQueue(session);
    this.deps.publish.handQueueChanged(session.id, queue);
    return queue;
  }

  private audited(actor: Actor | null, session: SessionRow, action: string, handId: string, details: Record<string, unknown>) {
    return this.deps.audit.record({
      actor,
      action,
      outcome: "ok",
      objectType: "hand",
      objectId: handId,
      session: { id: session.id, rule: session.rule },
      details,
    });
  }
}
