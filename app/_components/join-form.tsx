"use client";
import { useState } from "react";

export function JoinForm({ initialCode }: { initialCode: string }) {
  const [code, setCode] = useState(initialCode);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function join(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/join", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code, ...(name.trim() ? { displayName: name } : {}) }),
      });
      const body = (await res.json()) as { redirect?: string; error?: { message: string } };
      if (res.ok && body.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      setError(body.error?.message ?? "Joining failed. Try again.");
    } catch {
      setError("No connection to the server. Check the Wi-Fi and try again.");
    }
    setBusy(false);
  }

  return (
    <form className="form" onSubmit={join} noValidate>
      <label>
        Session code
        <span className="hint" id="code-hint">
          8 letters and digits, e.g. ABCD-2345
        </span>
        <input
          className="code-input"
          name="code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          inputMode="text"
          maxLength={16}
          required
          aria-describedby="code-hint"
          aria-invalid={error ? true : undefined}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </label>
      <label>
        Your name (optional)
        <span className="hint">Leave empty to take part without a name.</span>
        <input name="displayName" autoComplete="nickname" maxLength={60} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy || code.trim().length === 0}>
        Join
      </button>
    </form>
  );
}
