import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Plenary — 2024 FMS Symposium", template: "%s — Plenary" },
  description: "Agenda, live Q&A, polls and streaming for the 2024 Foreign Military Sales Symposium.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <a href="/" className="brand">
            Plenary
          </a>
          <span className="brand-event">2024 FMS Symposium</span>
        </header>
        {children}
      </body>
    </html>
  );
}
