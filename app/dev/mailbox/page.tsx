import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/context";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Demo mailbox" };

/** Demo mode only: the mails Plenary would have sent. A production start has no such page. */
export default function Mailbox() {
  const app = getApp();
  if (!app.config.demo) notFound();
  const mails = app.mailer.mailbox();
  return (
    <main id="main">
      <h1>Demo mailbox</h1>
      <p>Sign-in mails sent by this demo server land here (newest first) instead of going out.</p>
      {mails.length === 0 ? <p>No mail yet.</p> : null}
      <ol className="card-list">
        {mails.map((m) => (
          <li key={m.id}>
            <article aria-label={`Mail to ${m.to}: ${m.subject}`}>
              <p>
                <strong>To:</strong> {m.to} · <time dateTime={m.at}>{m.at}</time>
              </p>
              <p>
                <strong>{m.subject}</strong>
              </p>
              <p style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                {/* A link ends before a sentence's closing punctuation ("… on https://x/me/pass."), as mail readers do. */}
                {m.text.split(/(https?:\/\/\S*[^\s.,;:!?)])/).map((part, i) =>
                  i % 2 ? (
                    <a key={i} href={part}>
                      {part}
                    </a>
                  ) : (
                    part
                  ),
                )}
              </p>
            </article>
          </li>
        ))}
      </ol>
    </main>
  );
}
