import type { AuthPublisher } from "./publisher";
import { demoPeople } from "../../db/seed/demo-people";
import { z } from "zod";
import { textField, visibleLength } from "../../lib/text";
import type { Database } from "../../db/client";
import type { SessionRoleName, UserRow } from "../../db/schema";
import { Batcher, type Pending } from "../batch";
import { AppError } from "../errors";
import type { AuditService } from "../audit/service";
import type { Logger } from "../log";
import type { Actor } from "./actor";
import { addressGroup, ipv6SiteGroup } from "./address-groups";
import { hashSecret, newSecret, normalizeAccessCode, ACCESS_CODE_LENGTH, ACCESS_CODE_ALPHABET } from "./tokens";
import * as q from "./queries";

export const SIGN_IN_DAYS = 7;
/** A device identity outlives any sign-in: votes stay one per device for the whole event. */
export const DEVICE_DAYS = 400;

/** Fixed-window limits, counted in the database so they hold across instances (docs/architecture.md). */
export interface WindowLimits {
  windowMs: number;
}
export interface CodeLimits extends WindowLimits {
  /** Wrong room codes one device (or one signed-in person) may try per window. */
  perDevice: number;
  /** Wrong room codes per client address (an IPv4 address, or an IPv6 /64) per window: a whole ballroom on one NAT. */
  perAddress: number;
  /** Wrong room codes per IPv6 /48 (a site's whole allocation, 65,536 /64s) per window. */
  perIpv6Site: number;
}
export interface MagicLinkLimits extends WindowLimits {
  /** Sign-in links asked for one e-mail address per window. */
  perEmail: number;
  /** Sign-in links asked for from one client address (IPv4 address or IPv6 /64) per window. */
  perAddress: number;
}

/** How long a new phone's sign-in is answered without a lookup: long enough for its page and socket. */
const FRESH_MS = 30_000;

/** A rate limit's bucket: its counter's key, its limit and what the refusal says. */
interface Bucket {
  key: string;
  limit: number;
  message: string;
  /** Logged (without the key, which can name an address) when this bucket refuses. */
  log?: string;
}

/** The arithmetic behind these numbers is in docs/architecture.md ("Room code"). */
export const CODE_LIMITS: CodeLimits = { windowMs: 10 * 60_000, perDevice: 5, perAddress: 500, perIpv6Site: 5000 };
export const MAGIC_LINK_LIMITS: MagicLinkLimits = { windowMs: 10 * 60_000, perEmail: 5, perAddress: 300 };

export interface AuthServiceOptions {
  codeLimits?: Partial<CodeLimits>;
  magicLinkLimits?: Partial<MagicLinkLimits>;
  /**
   * Sign-ins, links and rate limits live in real time, never on the simulated clock of a demo
   * (a cookie expires in the browser's time). Tests may pass their own clock to step through windows.
   */
  clock?: { now(): Date };
}

export type TokenStatus = "none" | "valid" | "invalid" | "expired";

/** The address as next-auth's e-mail provider keys it: trimmed, lower case, one address. */
export function normalizeEmail(email: string): string {
  const [local, domain = ""] = email.trim().toLowerCase().split("@");
  return `${local}@${domain.split(",")[0]}`;
}

/** lib/text.ts's rule (which drops bidi and invisible characters, so a name cannot hide or reorder text). Empty means no name. */
export const displayNameSchema = textField({ what: "A display name", max: 60 }).refine(
  (s) => s === "" || visibleLength(s) > 0,
  "A display name needs at least one letter or digit; leave it empty to stay unnamed.",
);

/** What every malformed code is told: a code is typed off the room's screen. */
const CODE_SHAPE = "A room code has 8 letters and digits, like ABCD-2345.";

/** What a join carries; anything else (a misspelt field) is refused by name rather than dropped. */
const JOIN_FIELDS = ["code", "displayName"];

export const joinSchema = z.strictObject(
  {
    code: z
      .string({ error: CODE_SHAPE })
      .max(32, CODE_SHAPE)
      .transform(normalizeAccessCode)
      .pipe(z.string().regex(new RegExp(`^[${ACCESS_CODE_ALPHABET}]{${ACCESS_CODE_LENGTH}}$`), CODE_SHAPE)),
    displayName: displayNameSchema.optional(),
  },
  {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `A join has only the fields ${JOIN_FIELDS.map((f) => `"${f}"`).join(" and ")}; remove ${iss.keys.map((k) => `"${k}"`).join(", ")}.`
        : `A join is a JSON object with the room code in "code", like {"code": "ABCD-2345"}.`,
  },
);

/**
 * Who is signed in, and the ways of signing in that are not next-auth's own (room code, demo).
 * Sign-in lifetimes run on the real clock, never the simulated event clock (PLENARY_NOW).
 */
export class AuthService {
  private readonly clock: { now(): Date };
  /** Sign-ins this instance made for new phones in the last FRESH_MS, by token hash (see `resolveToken`). */
  private readonly fresh = new Map<string, { actor: Omit<Actor, "sessionRoles">; sessionId: string; expires: Date; until: number }>();
  readonly codeLimits: CodeLimits;
  readonly magicLinkLimits: MagicLinkLimits;
  /**
   * New phones' people, roles and sign-ins: those that arrive while a batch is being written go in
   * the next one, one statement for the lot (a room of people typing the code at once).
   */
  private readonly newDevices = new Batcher<q.NewDeviceJoin, string>({
    name: "device_joins",
    max: 64,
    schedule: (job) => job(),
    write: (batch) => this.writeNewDevices(batch),
  });

  /** Room-code attempts that arrive while others are being looked up share the next statement. */
  private readonly codeAttempts = new Batcher<q.CodeAttempt & { window: { start: Date; previous: Date } }, q.CodeAttemptResult>({
    name: "code_attempts",
    max: 100,
    schedule: (job) => job(),
    write: (batch) => this.writeCodeAttempts(batch),
  });

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly publish: AuthPublisher,
    private readonly log: Logger,
    options: AuthServiceOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.codeLimits = { ...CODE_LIMITS, ...options.codeLimits };
    this.magicLinkLimits = { ...MAGIC_LINK_LIMITS, ...options.magicLinkLimits };
  }

  /** The actor behind a raw session token, with the token's status. */
  async resolveToken(raw: string | undefined): Promise<{ actor: Actor | null; status: TokenStatus; expires?: Date }> {
    if (!raw) return { actor: null, status: "none" };
    if (raw.length > 200) return { actor: null, status: "invalid" };
    const hash = hashSecret(raw);
    const fresh = this.fresh.get(hash);
    if (fresh && fresh.until > Date.now()) {
      // A phone that just joined opens the session page and its socket within seconds: the join
      // wrote this sign-in moments ago and knows everything the lookup would read.
      const actor: Actor = { ...fresh.actor, sessionRoles: new Map([[fresh.sessionId, new Set(["attendee" as const])]]) };
      return { actor, status: "valid", expires: fresh.expires };
    }
    const row = await q.findSignIn(this.db, hash);
    if (!row) return { actor: null, status: "invalid" };
    if (row.session.expires <= this.clock.now()) return { actor: null, status: "expired" };
    return {
      actor: actorOf(row.user, hash, row.organizer, row.roles, { checkInRole: row.checkInRole, checkedIn: row.checkedIn }),
      status: "valid",
      expires: row.session.expires,
    };
  }

  async actorFor(user: UserRow, authSessionHash: string): Promise<Actor> {
    const [organizer, roles, status] = await Promise.all([
      q.isOrganizer(this.db, user.id),
      q.sessionRolesOf(this.db, user.id),
      q.checkInStatus(this.db, user.id),
    ]);
    return actorOf(user, authSessionHash, organizer, roles, status);
  }

  /** Starts a sign-in for `userId`; returns the raw token for the cookie. */
  /** Demo mode's one-click sign-in (the route checks demo mode): only the seeded fictional people. */
  async startDemoSignIn(email: string): Promise<{ token: string; expires: Date }> {
    const user = await q.findUserByEmail(this.db, email);
    if (!user?.isDemo) throw new AppError("not_found", "Only the fictional demo people can be signed in with one click.");
    return this.startSignIn(user.id, "demo");
  }

  async startSignIn(userId: string, method: "email" | "oidc" | "code" | "demo"): Promise<{ token: string; expires: Date }> {
    const { token, row } = this.newSignIn(method);
    await q.insertAuthSession(this.db, { ...row, userId });
    return { token, expires: row.expires };
  }

  /**
   * Keeps a new phone's sign-in for FRESH_MS: a person this join just created has exactly this
   * attendee role and nothing else, which the lookup would read back. Only this instance knows it;
   * another one looks it up. Entries end early on sign-out and on any change the auth publisher
   * announces (`forget`).
   */
  private remember(tokenHash: string, expires: Date, sessionId: string, actor: Omit<Actor, "sessionRoles">): void {
    const now = Date.now();
    for (const [hash, entry] of this.fresh) {
      if (entry.until > now) break; // in insertion order, so the rest are newer
      this.fresh.delete(hash);
    }
    this.fresh.set(tokenHash, { actor, sessionId, expires, until: now + FRESH_MS });
  }

  /** A fresh sign-in token, and the row that stores it (its sha256 only). */
  private newSignIn(method: "email" | "oidc" | "code" | "demo") {
    const token = newSecret();
    const expires = new Date(this.clock.now().getTime() + SIGN_IN_DAYS * 86_400_000);
    return { token, row: { tokenHash: hashSecret(token), expires, method } };
  }

  /** Ends one sign-in (sign-out): the token stops working and its sockets close. */
  async endSignIn(raw: string): Promise<void> {
    const hash = hashSecret(raw);
    this.fresh.delete(hash);
    await q.deleteAuthSession(this.db, hash);
    this.publish.signInEnded(hash);
  }

  /**
   * This person's roles, check-in or details changed: their next page or socket reads them from the
   * database. Called for every change the auth publisher announces (server/app.ts).
   */
  forget(userId: string): void {
    for (const [hash, entry] of this.fresh) if (entry.actor.userId === userId) this.fresh.delete(hash);
  }

  /** A new device secret (the `plenary-device` cookie's value); only its sha256 is ever stored. */
  newDeviceSecret(): string {
    return newSecret();
  }

  /**
   * Someone in the room typed or scanned a session's code. A wrong code is counted per device and per
   * client address in the statement that looks the code up, one atomic increment each, so concurrent
   * guesses cannot all slip under the limit; the right code counts nothing, so only wrong codes use up
   * the limits, but is refused like a wrong one while a limit is reached. A device over its own limit
   * does not use up its network's.
   *
   * `device.secret` is the device cookie the phone sent, or one minted for this request (`minted`),
   * which the route sets whatever the outcome, so a phone's typos count against that phone from its
   * very first try. Someone already signed in as a registered person keeps their sign-in: the code
   * only tells them where to go (`signIn` and `device` are null).
   *
   * A new phone's join is two statements (look up and count; person, role and sign-in together), each
   * a round trip to the database (server/auth/join-cost.test.ts); phones joining at the same moment
   * share both, and each attempt is still judged as if it had come alone.
   */
  async joinWithCode(input: unknown, ctx: { ip: string; device: { secret: string; minted: boolean }; actor: Actor | null }) {
    const { windowMs, perDevice, perAddress, perIpv6Site } = this.codeLimits;
    const window = this.window(windowMs);
    const person = ctx.actor?.kind === "person" ? ctx.actor : null;
    const network = `Too many wrong codes from this network. Try again in ${window.minutes} minutes, or ask the room staff.`;
    const site = ipv6SiteGroup(ctx.ip);
    const buckets = [
      {
        key: person ? `code:person:${person.userId}` : `code:device:${hashSecret(ctx.device.secret)}`,
        limit: perDevice,
        message: `Too many wrong codes from this device. Try again in ${window.minutes} minutes, or ask the room staff.`,
      },
      { key: `code:addr:${addressGroup(ctx.ip)}`, limit: perAddress, message: network, log: "room code attempts over the per-address limit" },
      ...(site ? [{ key: `code:site:${site}`, limit: perIpv6Site, message: network, log: "room code attempts over the per-IPv6-site limit" }] : []),
    ];
    const parsed = joinSchema.safeParse(input);
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    // A bad name or a malformed request is a typo, not a wrong code: it says what to fix and costs no attempt.
    const notTheCode = issue !== undefined && issue.path[0] !== "code";
    const keys = buckets.map((b) => b.key);
    const attempt = await this.codeAttempts.add({ code: parsed.success ? parsed.data.code : null, keys, countIfWrong: !notTheCode, window });
    // A refused wrong code keeps its hit only in the bucket that refused it.
    await this.judge(window, buckets, attempt.counts, (others) =>
      q.unhitRateLimits(
        this.db,
        others.filter((k) => attempt.counts.get(k)?.counted),
        window.start,
      ),
    );
    if (!parsed.success) throw new AppError(notTheCode ? "invalid_payload" : "not_found", issue!.message);
    const session = attempt.session;
    if (!session) throw new AppError("not_found", "That code does not match any session. Check the code on the room's screen and try again.");

    // Registered participants take part everywhere already; their sign-in stays as it is.
    if (person) return { session, signIn: null, device: null };

    // A secret minted for this very request is new (256 random bits): nobody can have it yet, so it
    // is not looked up — one statement less on every first join.
    const user = ctx.device.minted ? undefined : await q.findUserByDeviceHash(this.db, hashSecret(ctx.device.secret));
    let deviceSecret = ctx.device.secret;
    const name = parsed.data.displayName || null;
    const role = { sessionId: session.id, role: "attendee" as const };
    const { token, row } = this.newSignIn("code");
    if (!user) {
      // Only a secret this server just minted becomes an identity; one the browser brought that
      // matches nobody (planted, or from another server) is replaced.
      if (!ctx.device.minted) deviceSecret = newSecret();
      // Person, role and sign-in in one statement: all three or none.
      const userId = await this.newDevices.add({ user: { name, deviceSecretHash: hashSecret(deviceSecret) }, role, signIn: row });
      this.remember(row.tokenHash, row.expires, session.id, {
        userId,
        kind: "device",
        name,
        email: null,
        affiliation: null,
        attendanceMode: "in_person",
        isOrganizer: false,
        isCheckIn: false,
        checkedIn: false,
        isDemo: false,
        authSessionHash: row.tokenHash,
      });
    } else {
      this.forget(user.id); // a sign-in it made earlier would miss this session's role
      await q.grantRoleWithSignIn(this.db, user.id, role, row, name && name !== user.name ? name : undefined);
    }
    return {
      session,
      signIn: { token, expires: row.expires },
      device: { secret: deviceSecret, expires: new Date(this.clock.now().getTime() + DEVICE_DAYS * 86_400_000) },
    };
  }

  /** A batch of room-code attempts: one statement per rate-limit window among them (almost always one). */
  private async writeCodeAttempts(batch: Array<Pending<q.CodeAttempt & { window: { start: Date; previous: Date } }, q.CodeAttemptResult>>): Promise<void> {
    const byWindow = new Map<number, typeof batch>();
    for (const p of batch) {
      const list = byWindow.get(p.item.window.start.getTime());
      if (list) list.push(p);
      else byWindow.set(p.item.window.start.getTime(), [p]);
    }
    for (const group of byWindow.values()) {
      const { start, previous } = group[0].item.window;
      try {
        const results = await q.attemptCodes(
          this.db,
          group.map((p) => p.item),
          start,
          previous,
        );
        group.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
  }

  /**
   * Writes a batch of new phones in one statement. Should it fail, each is written on its own, so
   * one phone's refused row (or a fault) answers that phone alone and the rest are still let in.
   */
  private async writeNewDevices(batch: Array<Pending<q.NewDeviceJoin, string>>): Promise<void> {
    try {
      const ids = await q.insertDeviceUsersWithSignIns(
        this.db,
        batch.map((p) => p.item),
      );
      batch.forEach((p, i) => p.resolve(ids[i]));
    } catch (err) {
      if (batch.length === 1) throw err;
      for (const p of batch) {
        await q.insertDeviceUsersWithSignIns(this.db, [p.item]).then(([id]) => p.resolve(id), p.reject);
      }
    }
  }

  /**
   * Counts a request for a sign-in link, per address and per client address, before anything looks
   * at whether the address is registered: the refusal is the same for every address, so it reveals
   * nobody. E-mail addresses are counted by their sha256, never stored.
   */
  async throttleMagicLink(email: string, ip: string): Promise<void> {
    const { windowMs, perEmail, perAddress } = this.magicLinkLimits;
    const window = this.window(windowMs);
    const message = `Too many sign-in links were asked for this address or from this network. Wait ${window.minutes} minutes and try again.`;
    await this.count(window, [
      { key: `mail:email:${hashSecret(normalizeEmail(email))}`, limit: perEmail, message },
      { key: `mail:addr:${addressGroup(ip)}`, limit: perAddress, message },
    ]);
  }

  /**
   * The window `now` falls in, for a sliding-window count: the attempts of this fixed window plus
   * those of the one before, weighted by how much of it still lies within `windowMs` of now. So a
   * limit holds across a window's edge (no fresh budget at the turn of the clock) without keeping a
   * row per attempt.
   */
  private window(windowMs: number) {
    const now = this.clock.now().getTime();
    const start = new Date(Math.floor(now / windowMs) * windowMs);
    const retryAfterMs = start.getTime() + windowMs - now;
    const previous = new Date(start.getTime() - windowMs);
    const previousWeight = retryAfterMs / windowMs;
    return { start, previous, previousWeight, retryAfterMs, minutes: Math.ceil(retryAfterMs / 60_000) };
  }

  /** Counts one attempt in every bucket with one atomic increment, then judges them (`judge`). */
  private async count(window: ReturnType<AuthService["window"]>, buckets: Bucket[]) {
    // The hits and the previous window's counts in one statement.
    const counts = await q.hitRateLimits(
      this.db,
      buckets.map((b) => b.key),
      window.start,
      window.previous,
    );
    await this.judge(window, buckets, counts, (others) => q.unhitRateLimits(this.db, others, window.start));
  }

  /**
   * Judges the buckets in order and refuses at the first one over its limit (its count includes this
   * attempt); `takeBack` is given the other buckets, so an attempt refused by a narrow bucket (one
   * device) does not use up a wide one (its network).
   */
  private async judge(
    window: ReturnType<AuthService["window"]>,
    buckets: Bucket[],
    counts: Map<string, { hits: number; before: number }>,
    takeBack: (others: string[]) => Promise<void>,
  ): Promise<void> {
    for (const b of buckets) {
      const { hits, before } = counts.get(b.key)!;
      if (hits + (hits > b.limit ? 0 : before) * window.previousWeight > b.limit) {
        await takeBack(buckets.map((o) => o.key).filter((k) => k !== b.key));
        if (b.log) this.log.warn(b.log, { limit: b.limit });
        throw new AppError("rate_limited", b.message, { retryAfterMs: window.retryAfterMs });
      }
    }
  }

  /** Name and affiliation of these addresses (the demo sign-in list). */
  /** Demo mode's one-click people, with their names as the database has them now (an organizer may have edited them). */
  async demoPeople(): Promise<Array<{ email: string; name: string; affiliation: string; role: string }>> {
    const rows = await q.profilesByEmail(
      this.db,
      demoPeople.map((p) => p.email),
    );
    return demoPeople.map((p) => {
      const row = rows.find((r) => r.email === p.email);
      return { email: p.email, name: row?.name ?? p.name, affiliation: row?.affiliation ?? p.affiliation, role: p.role };
    });
  }

  /** The secret next-auth signs with: AUTH_SECRET, or one generated once and kept in the database. */
  async resolveSecret(configured?: string): Promise<string> {
    return configured ?? q.putSettingOnce(this.db, "auth_secret", newSecret() + newSecret());
  }

  /** Sign-ins, sign-in links and rate-limit windows that are over (every few seconds, on every instance). */
  async deleteExpired(): Promise<void> {
    const now = this.clock.now();
    await q.deleteExpiredAuthSessions(this.db, now);
    await q.deleteExpiredVerificationTokens(this.db, now);
    const longestWindow = Math.max(this.codeLimits.windowMs, this.magicLinkLimits.windowMs);
    await q.deleteOldRateLimits(this.db, new Date(now.getTime() - 2 * longestWindow));
  }

  get audits(): AuditService {
    return this.audit;
  }
}

function actorOf(
  user: UserRow,
  authSessionHash: string,
  organizer: boolean,
  roles: Array<{ sessionId: string; role: SessionRoleName }>,
  desk: { checkInRole: boolean; checkedIn: boolean },
): Actor {
  const sessionRoles = new Map<string, Set<SessionRoleName>>();
  for (const r of roles) sessionRoles.set(r.sessionId, (sessionRoles.get(r.sessionId) ?? new Set()).add(r.role));
  return {
    userId: user.id,
    kind: user.kind,
    name: user.name,
    email: user.email,
    affiliation: user.affiliation,
    attendanceMode: user.attendanceMode,
    isOrganizer: organizer,
    isCheckIn: desk.checkInRole,
    checkedIn: desk.checkedIn,
    isDemo: user.isDemo,
    sessionRoles,
    authSessionHash,
  };
}
