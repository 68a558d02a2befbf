import type { AuthOptions } from "next-auth";
import type { Adapter, AdapterAccount, AdapterUser } from "next-auth/adapters";
import EmailProviderModule from "next-auth/providers/email";
import { hasControlCharacters } from "../../lib/text";
import type { Database } from "../../db/client";
import type { UserRow } from "../../db/schema";
import type { Mailer } from "../mail/mailer";
import { errorName, type Logger } from "../log";
import { SIGN_IN_DAYS, type AuthService } from "./service";
import { nextAuthCookies, usesSecureCookies } from "./cookies";
import { hashSecret } from "./tokens";
import * as q from "./queries";

const MAGIC_LINK_MINUTES = 10;

// next-auth v4 ships CommonJS; some loaders (Playwright's) hand back the module object, not its default.
const EmailProvider = (EmailProviderModule as typeof EmailProviderModule & { default?: typeof EmailProviderModule }).default ?? EmailProviderModule;

function toAdapterUser(u: UserRow): AdapterUser {
  return { id: u.id, email: u.email ?? "", emailVerified: u.emailVerified, name: u.name };
}

/** How a next-auth sign-in was made (room codes and demo sign-ins are made by AuthService). */
type SignInMethod = "email" | "oidc";

/** next-auth's storage, on Plenary's own tables; session tokens are stored hashed. */
export function plenaryAdapter(db: Database): Adapter {
  return {
    async createUser(user: Omit<AdapterUser, "id">) {
      const row = await q.insertUser(db, {
        kind: "person",
        email: user.email.toLowerCase(),
        emailVerified: user.emailVerified ?? null,
        name: user.name ?? null,
        attendanceMode: "remote",
      });
      return toAdapterUser(row);
    },
    async getUser(id) {
      const row = await q.findUserById(db, id).catch(() => undefined);
      return row ? toAdapterUser(row) : null;
    },
    async getUserByEmail(email) {
      // No stored address has a control character (Postgres cannot even compare one with U+0000).
      if (hasControlCharacters(email)) return null;
      const row = await q.findUserByEmail(db, email);
      return row ? toAdapterUser(row) : null;
    },
    async getUserByAccount({ provider, providerAccountId }) {
      const row = await q.findUserByAccount(db, provider, providerAccountId);
      return row ? toAdapterUser(row) : null;
    },
    async updateUser(user) {
      const row = await q.updateUser(db, user.id, {
        ...(user.emailVerified !== undefined ? { emailVerified: user.emailVerified } : {}),
        ...(user.name && !(await q.findUserById(db, user.id))?.name ? { name: user.name } : {}),
      });
      return toAdapterUser(row!);
    },
    async linkAccount(account: AdapterAccount) {
      await q.insertAccount(db, { userId: account.userId, provider: account.provider, providerAccountId: account.providerAccountId, type: account.type });
    },
    // next-auth creates a sign-in only at the end of a callback: `forRequest` passes the callback's
    // provider as the method (a magic link's, "email", unless told otherwise).
    async createSession({ sessionToken, userId, expires, method }: { sessionToken: string; userId: string; expires: Date; method?: SignInMethod }) {
      await q.insertAuthSession(db, { tokenHash: hashSecret(sessionToken), userId, expires, method: method ?? "email" });
      return { sessionToken, userId, expires };
    },
    async getSessionAndUser(sessionToken) {
      const row = await q.findAuthSession(db, hashSecret(sessionToken));
      if (!row) return null;
      return { session: { sessionToken, userId: row.user.id, expires: row.session.expires }, user: toAdapterUser(row.user) };
    },
    async updateSession({ sessionToken, expires }) {
      if (expires) await q.updateAuthSessionExpiry(db, hashSecret(sessionToken), expires);
      const row = await q.findAuthSession(db, hashSecret(sessionToken));
      return row ? { sessionToken, userId: row.user.id, expires: row.session.expires } : null;
    },
    // Returning the deleted session lets events.signOut (below) close that browser's sockets.
    async deleteSession(sessionToken) {
      const row = await q.deleteAuthSession(db, hashSecret(sessionToken));
      return row ? { sessionToken, userId: row.userId, expires: new Date() } : null;
    },
    async createVerificationToken(token) {
      await q.insertVerificationToken(db, token);
      return token;
    },
    async useVerificationToken({ identifier, token }) {
      if (hasControlCharacters(identifier) || hasControlCharacters(token)) return null;
      const row = await q.takeVerificationToken(db, identifier, token);
      return row ?? null;
    },
  };
}

/** OIDC's `email_verified` claim; some IdPs send the string "true". */
function emailVerified(profile: unknown): boolean {
  const v = (profile as { email_verified?: unknown } | undefined)?.email_verified;
  return v === true || v === "true";
}

/**
 * The options for one request. `currentSignIn` is the sign-in the browser came with: when single
 * sign-on completes (after the IdP's answer is verified and allowed), that sign-in is ended first, so
 * next-auth finds the person by IdP account or e-mail, and never links the IdP account to whoever was
 * signed in in this browser before (a room device, or another person on a shared computer).
 */
export function forRequest(options: AuthOptions, r: { currentSignIn?: string; auth: AuthService; callbackProvider?: string }): AuthOptions {
  const current = r.currentSignIn;
  const signIn = options.callbacks?.signIn;
  const adapter = options.adapter;
  // A sign-in made by this request (a callback) is recorded with the way in it used.
  const method: SignInMethod | undefined = r.callbackProvider === "oidc" ? "oidc" : r.callbackProvider === "email" ? "email" : undefined;
  if (method && adapter?.createSession) {
    const create = adapter.createSession.bind(adapter) as (
      s: Parameters<NonNullable<Adapter["createSession"]>>[0] & { method: SignInMethod },
    ) => ReturnType<NonNullable<Adapter["createSession"]>>;
    options = { ...options, adapter: { ...adapter, createSession: (s) => create({ ...s, method }) } };
  }
  if (!current || !signIn) return options;
  return {
    ...options,
    callbacks: {
      ...options.callbacks,
      async signIn(params) {
        const allowed = await signIn(params);
        if (allowed === true && params.account?.provider === "oidc") await r.auth.endSignIn(current);
        return allowed;
      },
    },
  };
}

export interface NextAuthDeps {
  db: Database;
  auth: AuthService;
  mailer: Mailer;
  log: Logger;
  secret: string;
  publicUrl: string;
  oidc?: { issuer: string; clientId: string; clientSecret: string; name: string };
  eventName: string;
  /** The participant's check-in pass as a PNG QR code (server/checkin), sent with their sign-in link. */
  passPng?: (userId: string) => Promise<Buffer>;
}

export function buildNextAuthOptions(d: NextAuthDeps): AuthOptions {
  const secure = usesSecureCookies(d.publicUrl);
  const providers: AuthOptions["providers"] = [];
  if (d.mailer.available) {
    providers.push(
      EmailProvider({
        server: "smtp://unused.invalid", // mail goes through Plenary's mailer below
        from: "unused",
        maxAge: MAGIC_LINK_MINUTES * 60,
        async sendVerificationRequest({ identifier, url }) {
          // Only registered participants get a link; the page says the same thing either way,
          // so the form does not reveal who is registered. Nor does its timing: the answer does not
          // wait for the mail server (which only a registered address would), and a mail server that
          // fails is logged, not shown (it, too, would happen only for a registered address).
          const user = await q.findUserByEmail(d.db, identifier);
          if (!user) {
            d.log.info("sign-in link not sent: address not registered");
            return;
          }
          // The participant's personal pass travels with the link (a QR code the check-in desk scans).
          // It is made after the answer too, and a failure to make it costs only the picture.
          const text = `Sign in to Plenary for the ${d.eventName}:\n\n${url}\n\nThe link works once, within ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this mail.`;
          const passNote = `Your check-in pass is the QR code in this mail; after signing in you also find it on ${d.publicUrl}/me/pass. Show it at the registration desk.`;
          const pass = user.kind === "person" && d.passPng ? d.passPng(user.id).catch(() => undefined) : Promise.resolve(undefined);
          void pass
            .then((png) =>
              d.mailer.send({
                to: identifier,
                subject: `Your sign-in link for ${d.eventName}`,
                text: png ? `${text}\n\n${passNote}` : text,
                ...(png
                  ? {
                      html: passHtml(d.eventName, url, MAGIC_LINK_MINUTES, passNote),
                      attachments: [{ filename: "pass.png", content: png, contentType: "image/png", cid: PASS_CID }],
                    }
                  : {}),
              }),
            )
            // The mail server's error can name the recipient: only its kind goes to the log.
            .catch((err: unknown) => d.log.error("sign-in link could not be sent", { error: errorName(err) }));
        },
      }),
    );
  }
  if (d.oidc) {
    providers.push({
      id: "oidc",
      name: d.oidc.name,
      type: "oauth",
      wellKnown: `${d.oidc.issuer}/.well-known/openid-configuration`,
      clientId: d.oidc.clientId,
      clientSecret: d.oidc.clientSecret,
      idToken: true,
      checks: ["pkce", "state"],
      // A participant imported or registered before their first single sign-on is found by e-mail
      // and keeps their roles. next-auth refuses that (OAuthAccountNotLinked) unless told to; the
      // signIn callback below allows it only when the IdP vouches for the address (email_verified).
      allowDangerousEmailAccountLinking: true,
      authorization: { params: { scope: "openid email profile" } },
      profile(p: { sub: string; email?: string; name?: string; preferred_username?: string }) {
        return { id: p.sub, email: p.email ?? null, name: p.name ?? p.preferred_username ?? null };
      },
    });
  }
  return {
    adapter: plenaryAdapter(d.db),
    secret: d.secret,
    useSecureCookies: secure,
    cookies: nextAuthCookies(secure),
    session: { strategy: "database", maxAge: SIGN_IN_DAYS * 86_400, updateAge: 86_400 },
    providers,
    pages: { signIn: "/signin", verifyRequest: "/signin/check-email", error: "/signin" },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        // An IdP account linked before is the identity, whatever its e-mail says today.
        if (await q.findUserByAccount(d.db, "oidc", account.providerAccountId)) return true;
        // Otherwise the e-mail decides who this is: a registered participant (linked now, roles kept)
        // or a new one. Only an address the IdP has verified may do that; anything else could take
        // over a participant's account, or squat an address an organizer imports later.
        if (!user.email) return `${d.publicUrl}/signin?error=SsoNoEmail`;
        if (!emailVerified(profile)) return `${d.publicUrl}/signin?error=SsoEmailNotVerified`;
        return true;
      },
      async session({ session, user }) {
        return { ...session, user: { name: user.name ?? null, email: user.email ?? null } };
      },
    },
    events: {
      async signOut(message) {
        const token = "session" in message ? (message.session as { sessionToken?: string } | null)?.sessionToken : undefined;
        if (token) await d.auth.endSignIn(token);
      },
    },
    logger: {
      // next-auth hands over the raw error (a failed query's carries the e-mail among its parameters):
      // only its kind is logged, never its message.
      error: (code, meta) => d.log.warn("next-auth error", { code, err: meta instanceof Error ? meta : (meta as { error?: unknown } | undefined)?.error }),
      warn: (code) => d.log.debug("next-auth warning", { code }),
      debug: () => {},
    },
  };
}

const PASS_CID = "pass@plenary";

/** The sign-in mail's HTML part, with the pass QR code inline. Every interpolated value is escaped. */
function passHtml(eventName: string, url: string, minutes: number, passNote: string): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    `<p>Sign in to Plenary for the ${esc(eventName)}:</p>`,
    `<p><a href="${esc(url)}">Sign in</a></p>`,
    `<p>The link works once, within ${minutes} minutes. If you did not ask for it, ignore this mail.</p>`,
    `<p>${esc(passNote)}</p>`,
    `<p><img src="cid:${PASS_CID}" alt="Your check-in pass (QR code)" width="240" height="240"></p>`,
  ].join("\n");
}
