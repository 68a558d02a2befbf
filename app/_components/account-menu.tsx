"use client";
import { signOut } from "next-auth/react";
import { useState } from "react";

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
          await signOut({ callbackUrl: "/" });
        }}
      >
        Sign out
      </button>
    </span>
  );
}
