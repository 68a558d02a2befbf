"use client";
import { useState } from "react";
import { clearOutboxes } from "@/lib/client/outbox-store";

/**
 * next-auth's sign-out, without loading next-auth/react on every page: fetch the CSRF token, post
 * it, then go where the server says. First, questions and votes still queued on this browser go: on a
 * shared computer nothing of this person stays behind for the next one.
 */
async function signOut(): Promise<void> {
  clearOutboxes();
  const { csrfToken } = (await (await fetch("/api/auth/csrf", { cache: "no-store" })).json()) as { csrfToken: string };
  const res = await fetch("/api/auth/signout", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/", json: "true" }),
  });
  const { url } = (await res.json().catch(() => ({}))) as { url?: string };
  window.location.assign(url && url.startsWith(window.location.origin) ? url : "/");
}

/** "Sign in", or the signed-in name with a sign-out button. */
export function AccountMenu({ name }: { name: string | null }) {
  const [busy, setBusy] = useState(false);
  if (!name) return <a href="/signin">Sign in</a>;
  return (
    <span className="account">
      <span data-testid="signed-in-as">Signed in as {name}</span>{" "}
      <button
        type="button"
        className="link-button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await signOut().catch(() => setBusy(false));
        }}
      >
        Sign out
      </button>
    </span>
  );
}
