import Link from "next/link";
import type { Metadata, Viewport } from "next";
import { getApp } from "@/server/context";
import { pageActor } from "@/server/http/page-auth";
import localFont from "next/font/local";
import { AccountMenu } from "./_components/account-menu";
import "./tokens.css";
import "./globals.css";

// Public Sans, from its npm package: served by this app under /_next/static (the CSP's font-src
// 'self'), never from a font CDN. One variable file carries every weight.
const publicSans = localFont({
  src: [
    { path: "../node_modules/@fontsource-variable/public-sans/files/public-sans-latin-wght-normal.woff2", style: "normal", weight: "100 900" },
    { path: "../node_modules/@fontsource-variable/public-sans/files/public-sans-latin-wght-italic.woff2", style: "italic", weight: "100 900" },
  ],
  variable: "--font-public-sans",
  display: "swap",
});

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Plenary — 2024 FMS Symposium", template: "%s — Plenary" },
  description: "Agenda, live Q&A, polls and streaming for the 2024 Foreign Military Sales Symposium.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const app = getApp();
  const actor = await pageActor();
  // The organizer's branding (/admin/branding); the defaults if it cannot be read, so a page still renders.
  const branding = await app.branding.get().catch(() => ({ name: null, accent: null, logo: null }));
  return (
    <html lang="en" className={publicSans.variable} style={branding.accent ? ({ "--brand": branding.accent } as React.CSSProperties) : undefined}>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {app.config.demo ? (
          <div className="demo-banner" role="note">
            <strong>Demo mode.</strong> Every person here is fictional and anyone can sign in as them. Do not use this instance for a real event.
          </div>
        ) : null}
        <header className="site-header">
          <Link href="/" className="brand">
            Plenary
          </Link>
          {branding.logo ? (
            // eslint-disable-next-line @next/next/no-img-element
            <img className="brand-logo" src={branding.logo} alt="" height={28} />
          ) : null}
          <span className="brand-event">{branding.name ?? "2024 FMS Symposium"}</span>
          <nav aria-label="Account">
            {actor?.isOrganizer ? <a href="/admin">Organizer console</a> : null}
            {actor?.isOrganizer || actor?.isCheckIn ? <a href="/check-in">Check-in desk</a> : null}
            {actor?.kind === "person" ? <a href="/me/pass">My pass</a> : null}
            {app.config.demo ? <a href="/dev/mailbox">Demo mailbox</a> : null}
            <AccountMenu name={actor ? (actor.name ?? (actor.kind === "device" ? "Room guest" : "Signed in")) : null} />
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
