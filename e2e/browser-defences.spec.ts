/**
 * The content security policy and the other browser-side defences, in Chromium: every page of every
 * role is visited with the policy on, and any violation (the browser's securitypolicyviolation event,
 * a report reaching /api/csp-report) or console error fails the test. The stream, captions, the QR
 * code, poll charts and the single sign-on redirect must all still work. Framing: another origin's
 * page sees the moderation console refused, and the room screen shown only for a listed origin.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { sessions } from "../db/schema";
import { Captioner } from "../server/testing/captioner";
import { startTestIdp, type TestIdp } from "../server/testing/oidc";
import { createPerson, type PersonSpec } from "../server/testing/people";
import type { TestServer } from "../server/testing/test-server";
import { test as base, expect } from "./fixtures";
import { expectSomeoneOnStage, expectVideoPlaying } from "./stream-helpers";

const SLUG = "defense-industry-perspectives"; // 09:45–11:15 Fri 24 May 2024: streamed, Q&A and polls
const logLines: string[] = [];
const violationsLogged = () => logLines.filter((l) => l.includes("content security policy violation"));

/** A page on another origin (another loopback port) that frames whatever URL its query names. */
interface Framer {
  origin: string;
  close(): Promise<void>;
}

async function startFramer(): Promise<Framer> {
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? "/", "http://x").searchParams.get("src") ?? "about:blank";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html lang="en"><title>Venue stage display</title><iframe title="framed" src="${target.replace(/"/g, "&quot;")}" width="1280" height="720"></iframe></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const test = base.extend<object, { idp: TestIdp; venue: Framer; stranger: Framer }>({
  idp: [
    async ({}, use) => {
      const idp = await startTestIdp();
      await use(idp);
      await idp.close();
    },
    { scope: "worker" },
  ],
  venue: [
    async ({}, use) => {
      const f = await startFramer();
      await use(f);
      await f.close();
    },
    { scope: "worker" },
  ],
  stranger: [
    async ({}, use) => {
      const f = await startFramer();
      await use(f);
      await f.close();
    },
    { scope: "worker" },
  ],
  plenaryOptions: [
    async ({ idp, venue }, use) =>
      use({
        now: "2024-05-24T09:50:00-04:00",
        livekit: true,
        demo: true,
        logSink: (line: string) => logLines.push(line),
        config: {
          oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: "Example Ministry" },
          screenFrameAncestors: [venue.origin],
        },
      }),
    { scope: "worker" },
  ],
});

/**
 * A browser context whose pages report every policy violation and console error on Plenary's pages
 * (the identity provider's own pages are not ours to judge).
 */
async function guardedContext(browser: Browser, plenary: TestServer, problems: string[], spec?: PersonSpec) {
  const context = await browser.newContext({ baseURL: plenary.url });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  const watch = (page: Page) => {
    page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" && page.url().startsWith(plenary.url)) problems.push(`${page.url()}: ${msg.text()}`);
    });
  };
  context.on("page", watch);
  if (spec) {
    const person = await createPerson(plenary.services, spec);
    await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  }
  return { context, page: await context.newPage() };
}

/** Visits each path and waits until the page's scripts have run (hydrated, live where it has a socket). */
async function walk(page: Page, paths: string[]) {
  for (const path of paths) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    await expect(page.locator("main")).toBeVisible();
    // Next's scripts ran (with the nonce): the router is up and React owns the page.
    await expect
      .poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next === "object"), { message: `${path} hydrated` })
      .toBe(true);
    const live = page.getByTestId("qa-connection");
    if (await live.count()) await expect(live.first()).toHaveAttribute("data-status", "live");
  }
}

async function accessCode(plenary: TestServer): Promise<string> {
  const [row] = await plenary.services.db.select({ code: sessions.accessCode }).from(sessions).where(eq(sessions.slug, SLUG));
  return row.code!;
}

test("every page of every role runs under the policy without a violation or console error", async ({ browser, plenary, idp }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  const roles = {
    anonymous: await guardedContext(browser, plenary, problems),
    attendee: await guardedContext(browser, plenary, problems, { name: "Remy Remote", email: "remy@example.org", affiliation: "Partner Nation MoD" }),
    moderator: await guardedContext(browser, plenary, problems, {
      name: "Morgan Moderator",
      email: "morgan@example.org",
      roles: [{ slug: SLUG, role: "moderator" }],
    }),
    panelist: await guardedContext(browser, plenary, problems, { name: "Dana Panelist", email: "dana@example.org", roles: [{ slug: SLUG, role: "panelist" }] }),
    organizer: await guardedContext(browser, plenary, problems, { name: "Olga Organizer", email: "olga@example.org", organizer: true }),
    device: await guardedContext(browser, plenary, problems),
  };

  await walk(roles.anonymous.page, ["/", "/signin", "/signin/check-email", "/join", "/dev/mailbox", `/sessions/${SLUG}`, "/sessions/fms-planning"]);
  await walk(roles.attendee.page, ["/", `/sessions/${SLUG}`, "/sessions/conversation-with-asd-acquisition"]);
  await walk(roles.moderator.page, [
    `/sessions/${SLUG}/moderate`,
    `/sessions/${SLUG}/polls`,
    `/sessions/${SLUG}/screen`,
    `/sessions/${SLUG}/panel`,
    `/sessions/${SLUG}/backstage`,
  ]);
  await walk(roles.panelist.page, [`/sessions/${SLUG}/panel`, `/sessions/${SLUG}/backstage`]);
  await walk(roles.organizer.page, ["/admin", "/admin/participants", "/admin/import", "/admin/audit", `/admin/sessions/${SLUG}`, `/sessions/${SLUG}/screen`]);

  // The QR code (an image from this origin) loads on the console's session page and on the screen.
  for (const page of [roles.organizer.page]) {
    await page.goto(`/admin/sessions/${SLUG}`);
    const qr = page.locator("img.qr");
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await page.goto(`/sessions/${SLUG}/screen`);
    const screenQr = page.getByRole("img", { name: /QR code: scan to join/ });
    await expect.poll(() => screenQr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  }

  // A room device joins with the code from the QR link (a URL carrying a code: no referrer leaves it).
  const code = await accessCode(plenary);
  const joined = await roles.device.page.goto(`/join?code=${code}`);
  expect(joined?.headers()["referrer-policy"]).toBe("no-referrer");
  await roles.device.page.getByRole("button", { name: "Join" }).click();
  await expect(roles.device.page.getByTestId("signed-in-as")).toHaveText("Signed in as Room guest");
  await expect(roles.device.page.getByTestId("qa-connection").first()).toHaveAttribute("data-status", "live");

  // The stream: a panelist publishes from backstage, the moderator goes live, the attendee watches.
  const p = roles.panelist.page;
  await p.goto(`/sessions/${SLUG}/backstage`);
  await p.getByRole("button", { name: "Preview camera and microphone" }).click();
  await expectVideoPlaying(p, 'video[aria-label="Preview of your camera"]');
  await p.getByRole("button", { name: "Join backstage" }).click();
  await expect(p.getByText("You are backstage.")).toBeVisible({ timeout: 20_000 });
  const m = roles.moderator.page;
  await m.goto(`/sessions/${SLUG}/backstage`);
  await expectSomeoneOnStage(m);
  await m.getByRole("button", { name: "Go live" }).click();
  await expect(m.getByRole("status").filter({ hasText: "Live: viewers can see and hear everyone on stage." })).toBeVisible();
  const v = roles.attendee.page;
  await v.goto(`/sessions/${SLUG}`);
  await v.getByRole("button", { name: "Watch" }).click();
  await expect(v.locator('[data-state="live"]')).toHaveText("Live", { timeout: 20_000 });
  await expectVideoPlaying(v, 'video[aria-label="Dana Panelist (camera)"]');
  // A captioner's caption reaches the viewer's captions region and the overlay on the video (positioned by style).
  const ingest = await roles.organizer.page.request.get(`/api/sessions/${SLUG}/captions/ingest-url`);
  const captioner = new Captioner({ url: ((await ingest.json()) as { url: string }).url });
  expect((await captioner.send("Welcome to the industry panel.")).status).toBe(200);
  await expect(v.getByTestId("live-captions").getByRole("log")).toContainText("Welcome to the industry panel.");
  await expect(v.getByTestId("caption-overlay")).toContainText("Welcome to the industry panel.");

  // A poll's chart on the room screen: its bars are sized by style attributes, which the policy allows.
  const question = "Which topic should the panel take first?";
  await m.goto(`/sessions/${SLUG}/polls`);
  const form = m.getByRole("form", { name: "New poll" });
  await form.getByLabel("Question").fill(question);
  await form.getByRole("textbox", { name: "Option 1" }).fill("Contracting speed");
  await form.getByRole("textbox", { name: "Option 2" }).fill("Workforce");
  await form.getByRole("button", { name: "Save as draft" }).click();
  await m
    .getByRole("region", { name: "Drafts" })
    .getByRole("button", { name: `Launch: ${question}` })
    .click();
  const screen = roles.organizer.page;
  await screen.goto(`/sessions/${SLUG}/screen`);
  await roles.device.page.getByRole("radio", { name: "Workforce" }).check();
  await roles.device.page.getByRole("button", { name: "Send answer" }).click();
  await expect(roles.device.page.getByRole("status").filter({ hasText: "Your answer was counted" })).toBeVisible();
  const bar = screen.getByTestId("poll-results").getByRole("listitem").filter({ hasText: "Workforce" }).locator(".poll-bar-fill");
  await expect(bar).toBeVisible();
  await expect.poll(() => bar.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(10);

  // Single sign-on: the sign-in form's POST is redirected to the identity provider (form-action allows its origin).
  idp.allowRedirect(`${plenary.url}/api/auth/callback/oidc`);
  const a = roles.anonymous.page;
  await a.goto(`/signin?callbackUrl=${encodeURIComponent(`/sessions/${SLUG}`)}`);
  await a.getByRole("button", { name: "Sign in with Example Ministry" }).click();
  await expect(a).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await a.locator('input[name="login"]').fill("alice");
  await a.locator('input[name="password"]').fill("any");
  await a.locator('button[type="submit"]').click();
  await a.locator('button[type="submit"]').click();
  await expect(a).toHaveURL(`${plenary.url}/sessions/${SLUG}`);
  await expect(a.getByTestId("signed-in-as")).toHaveText("Signed in as IdP User alice");

  for (const r of Object.values(roles)) await r.context.close();
  expect(problems, "policy violations and console errors").toEqual([]);
  expect(violationsLogged(), "violation reports received by the server").toEqual([]);
});

test("camera and microphone are refused outside the pages that publish", async ({ browser, plenary }) => {
  const context = await browser.newContext({ baseURL: plenary.url });
  const person = await createPerson(plenary.services, { name: "Mira Moderator", email: "mira@example.org", roles: [{ slug: SLUG, role: "moderator" }] });
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  const page = await context.newPage();
  const camera = () =>
    page.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ video: true }).then(
        (s) => (s.getTracks().forEach((t) => t.stop()), "granted"),
        (e: Error) => e.name,
      ),
    );
  await page.goto(`/sessions/${SLUG}/moderate`);
  expect(await camera()).toBe("NotAllowedError");
  await page.goto("/");
  expect(await camera()).toBe("NotAllowedError");
  await page.goto(`/sessions/${SLUG}/backstage`);
  expect(await camera()).toBe("granted");
  await page.goto(`/sessions/${SLUG}`);
  expect(await camera()).toBe("granted");
  await context.close();
});

test("another origin cannot frame the moderation console; the room screen shows only inside a listed origin", async ({ browser, plenary, venue, stranger }) => {
  const person = await createPerson(plenary.services, {
    name: "Stan Stage",
    email: "stan@example.org",
    organizer: true,
    roles: [{ slug: SLUG, role: "moderator" }],
  });
  const context = await browser.newContext();
  // Same site as the frames' parents (another loopback port), so the Lax sign-in cookie goes with the frame.
  await context.addCookies([{ name: "next-auth.session-token", value: person.token, url: plenary.url }]);
  const page = await context.newPage();
  const refusals: string[] = [];
  page.on("console", (msg) => {
    if (/frame-ancestors|Refused to (display|frame)/.test(msg.text())) refusals.push(msg.text());
  });
  const framed = async (framer: Framer, path: string) => {
    await page.goto(`${framer.origin}/?src=${encodeURIComponent(`${plenary.url}${path}`)}`);
    const iframe = page.frameLocator('iframe[title="framed"]');
    return iframe;
  };

  // The moderation console, from the venue's origin (listed for the screen only): refused.
  let frame = await framed(venue, `/sessions/${SLUG}/moderate`);
  await expect.poll(() => refusals.length, { message: "the browser refused the frame" }).toBeGreaterThan(0);
  await expect(frame.getByRole("heading", { name: /Moderate:/ })).toHaveCount(0);
  expect(refusals.join("\n")).toMatch(/frame-ancestors 'none'/);

  // The admin pages: refused too.
  refusals.length = 0;
  frame = await framed(venue, "/admin");
  await expect.poll(() => refusals.length).toBeGreaterThan(0);
  await expect(frame.getByRole("heading", { name: /Organizer/i })).toHaveCount(0);

  // The room screen inside the venue's page: shown, and live.
  refusals.length = 0;
  frame = await framed(venue, `/sessions/${SLUG}/screen`);
  await expect(frame.getByTestId("screen-code")).toBeVisible();
  expect(refusals).toEqual([]);

  // The same screen inside an origin nobody listed: refused.
  frame = await framed(stranger, `/sessions/${SLUG}/screen`);
  await expect.poll(() => refusals.length).toBeGreaterThan(0);
  await expect(frame.getByTestId("screen-code")).toHaveCount(0);
  expect(refusals.join("\n")).toMatch(new RegExp(`frame-ancestors ${venue.origin.replace(/[.:/]/g, "\\$&")}`));
  await context.close();
});
