import { z } from "zod";
import type { Database } from "../../db/client";
import type { SessionRoleName, UserRow } from "../../db/schema";
import { AppError } from "../errors";
import type { AuditService } from "../audit/service";
import type { Logger } from "../log";
import type { Actor } from "./actor";
import { hashSecret, newSecret, normalizeAccessCode, ACCESS_CODE_LENGTH, ACCESS_CODE_ALPHABET } from "./tokens";
import * as q from "./queries";

export const SIGN_IN_DAYS = 7;
/** A device identity outlives any sign-in: votes stay one per device for the whole event. */
export const DEVICE_DAYS = 400;
export const CODE_ATTEMPTS_PER_WINDOW = 10;
export const CODE_WINDOW_MS = 10 * 60_000;

export interface AuthPublisher {
  /** A sign-in ended: close the sockets that came with it. */
  signInEnded(tokenHash: string): void;
  /** A person's roles changed: their sockets reconnect to pick up the new roles. */
  rolesChanged(userId: string): void;
}

export type TokenStatus = "none" | "valid" | "invalid" | "expired";

export const displayNameSchema = z
  .string()
  .transform((s) => s.normalize("NFC").replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "").trim())
  .pipe(z.string().max(60, "A display name has at most 60 characters."));

export const joinSchema = z.object({
  code: z
    .string()
    .max(32)
    .transform(normalizeAccessCode)
    .pipe(z.string().regex(new RegExp(`^[${ACCESS_CODE_ALPHABET}]{${ACCESS_CODE_LENGTH}}$`), "A room code has 8 letters and digits, like ABCD-2345.")),
  displayName: displayNameSchema.optional(),
});

/**
 * Who is signed in, and the ways of signing in that are not next-auth's own (room code, demo).
 * Sign-in lifetimes run on the real clock, never the simulated event clock (PLENARY_NOW).
 */
export class AuthService {
  private readonly clock = { now: () => new Date() };

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly publish: AuthPublisher,
    private readonly log: Logger,
  ) {}

  /** The actor behind a raw session token, with the token's status. */
  async resolveToken(raw: string | undefined): Promise<{ actor: Actor | null; status: TokenStatus; expires?: Date }> {
    if (!raw) return { actor: null, status: "none" };
    if (raw.length > 200) return { actor: null, status: "invalid" };
    const hash = hashSecret(raw);
    const row = await q.findAuthSession(this.db, hash);
    if (!row) return { actor: null, status: "invalid" };
    if (row.session.expires <= this.clock.now()) return { actor: null, status: "expired" };
    return { actor: await this.actorFor(row.user, hash), status: "valid", expires: row.session.expires };
  }

  async actorFor(user: UserRow, authSessionHash: string): Promise<Actor> {
    const [organizer, roles] = await Promise.all([q.isOrganizer(this.db, user.id), q.sessionRolesOf(this.db, user.id)]);
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
      isDemo: user.isDemo,
      sessionRoles,
      authSessionHash,
    };
  }

  /** Starts a sign-in for `userId`; returns the raw token for the cookie. */
  async startSignIn(userId: string, method: "email" | "oidc" | "code" | "demo"): Promise<{ token: string; expires: Date }> {
    const token = newSecret();
    const expires = new Date(this.clock.now().getTime() + SIGN_IN_DAYS * 86_400_000);
    await q.insertAuthSession(this.db, { tokenHash: hashSecret(token), userId, expires, method });
    return { token, expires };
  }

  /** Ends one sign-in (sign-out): the token stops working and its sockets close. */
  async endSignIn(raw: string): Promise<void> {
    const hash = hashSecret(raw);
    await q.deleteAuthSession(this.db, hash);
    this.publish.signInEnded(hash);
  }

  /**
   * Someone in the room typed or scanned a session's code. Failed attempts are counted per address
   * and per device; past the limit every attempt is refused until the window ends.
   */
  async joinWithCode(input: unknown, ctx: { ip: string; deviceSecret?: string }) {
    const now = this.clock.now();
    const windowStart = new Date(Math.floor(now.getTime() / CODE_WINDOW_MS) * CODE_WINDOW_MS);
    const retryAfterMs = windowStart.getTime() + CODE_WINDOW_MS - now.getTime();
    const keys = [`code:ip:${ctx.ip}`, ...(ctx.deviceSecret ? [`code:device:${hashSecret(ctx.deviceSecret)}`] : [])];
    for (const key of keys) {
      if ((await q.peekRateLimit(this.db, key, windowStart)) >= CODE_ATTEMPTS_PER_WINDOW) {
        throw new AppError("rate_limited", `Too many wrong codes from this device. Try again in ${Math.ceil(retryAfterMs / 60000)} minutes, or ask the room staff.`, {
          retryAfterMs,
        });
      }
    }
    const fail = async (message: string) => {
      for (const key of keys) await q.hitRateLimit(this.db, key, windowStart);
      return new AppError("not_found", message);
    };
    const parsed = joinSchema.safeParse(input);
    if (!parsed.success) throw await fail(parsed.error.issues[0].message);
    const session = await q.findSessionByCode(this.db, parsed.data.code);
    if (!session || !session.qaEnabled) throw await fail("That code does not match any session. Check the code on the room's screen and try again.");

    let user = ctx.deviceSecret ? await q.findUserByDeviceHash(this.db, hashSecret(ctx.deviceSecret)) : undefined;
    let deviceSecret = ctx.deviceSecret;
    const name = parsed.data.displayName || null;
    if (!user) {
      deviceSecret = newSecret();
      user = await q.insertUser(this.db, { kind: "device", name, attendanceMode: "in_person", deviceSecretHash: hashSecret(deviceSecret) });
    } else if (name && name !== user.name) {
      user = (await q.updateUser(this.db, user.id, { name }))!;
    }
    await q.grantSessionRole(this.db, session.id, user.id, "attendee");
    const signIn = await this.startSignIn(user.id, "code");
    return {
      session,
      signIn,
      device: { secret: deviceSecret!, expires: new Date(now.getTime() + DEVICE_DAYS * 86_400_000) },
    };
  }

  /** The secret next-auth signs with: AUTH_SECRET, or one generated once and kept in the database. */
  async resolveSecret(configured?: string): Promise<string> {
    return configured ?? q.putSettingOnce(this.db, "auth_secret", newSecret() + newSecret());
  }

  async deleteExpired(): Promise<void> {
    const now = this.clock.now();
    await q.deleteExpiredAuthSessions(this.db, now);
    await q.deleteOldRateLimits(this.db, new Date(now.getTime() - 2 * CODE_WINDOW_MS));
  }

  get audits(): AuditService {
    return this.audit;
  }
}
