"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";

export interface DemoPerson {
  email: string;
  name: string;
  affiliation: string;
  role: string;
}

interface Props {
  callbackUrl: string;
  emailAvailable: boolean;
  oidcName: string | null;
  demoPeople?: DemoPerson[];
  error: string | null;
}

export function SignInForm({ callbackUrl, emailAvailable, oidcName, demoPeople, error }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [status, setStatus] = useState<string | null>(error);
  const [busy, setBusy] = useState(false);

  async function sendLink(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    const res = await signIn("email", { email, callbackUrl, redirect: false });
    setBusy(false);
    if (res?.error === "EmailRateLimited")
      setStatus("Too many sign-in links were asked for this address or from this network. Wait up to 10 minutes and try again.");
    else if (res?.error === "EmailInvalid") setStatus("That is not an e-mail address. Type the address you registered with again.");
    else if (res?.error) setStatus("The sign-in link could not be sent. Check the address and try again.");
    else router.push(`/signin/check-email?email=${encodeURIComponent(email)}`);
  }

  async function demoSignIn(person: DemoPerson) {
    setBusy(true);
    const res = await fetch("/api/demo/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: person.email }),
    });
    if (res.ok) window.location.assign(callbackUrl);
    else {
      setBusy(false);
      setStatus(((await res.json()) as { error?: { message?: string } }).error?.message ?? "Demo sign-in failed.");
    }
  }

  return (
    <>
      {status ? (
        <p className="error" role="alert">
          {status}
        </p>
      ) : null}
      <section aria-labelledby="room-heading" className="panel-section">
        <h2 id="room-heading">In the room?</h2>
        <p>
          Scan the QR code on the room&apos;s screen, or <a href="/join">enter the session code</a>. No account needed.
        </p>
      </section>
      {emailAvailable ? (
        <section aria-labelledby="email-heading" className="panel-section">
          <h2 id="email-heading">Registered participants</h2>
          <form className="form" onSubmit={sendLink}>
            <label>
              E-mail address
              <span className="hint">The address you registered with. We send a link that signs you in once, within 10 minutes.</span>
              <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <button type="submit" disabled={busy}>
              Email me a sign-in link
            </button>
          </form>
        </section>
      ) : (
        <p className="muted">E-mail sign-in is not configured on this server.</p>
      )}
      {oidcName ? (
        <section aria-labelledby="sso-heading" className="panel-section">
          <h2 id="sso-heading">Single sign-on</h2>
          <button type="button" onClick={() => signIn("oidc", { callbackUrl })} disabled={busy}>
            Sign in with {oidcName}
          </button>
        </section>
      ) : null}
      {demoPeople ? (
        <section aria-labelledby="demo-heading" className="panel-section">
          <h2 id="demo-heading">Demo: sign in as anyone</h2>
          <p>These people are fictional. Moderators and panelists of each session are listed in the organizer console.</p>
          <ul className="card-list">
            {demoPeople.map((p) => (
              <li key={p.email}>
                <span>
                  <strong>{p.name}</strong> — {p.role}
                  <br />
                  <span className="muted">{p.affiliation}</span>
                </span>
                <button type="button" className="secondary" disabled={busy} onClick={() => demoSignIn(p)} aria-label={`Sign in as ${p.name}, ${p.role}`}>
                  Sign in
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
