import type { Metadata } from "next";
import { getApp } from "@/server/context";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Check your e-mail" };

export default function CheckEmail() {
  const demo = getApp().config.demo && !getApp().config.smtpUrl;
  return (
    <main id="main">
      <h1>Check your e-mail</h1>
      <p role="status">If the address is registered for the symposium, a sign-in link is on its way. It works once, within 10 minutes.</p>
      {demo ? (
        <p>
          Demo mode: the mail is in the <a href="/dev/mailbox">demo mailbox</a>.
        </p>
      ) : null}
      <p>
        <a href="/signin">Back to sign-in</a>
      </p>
    </main>
  );
}
