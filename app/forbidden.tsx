import Link from "next/link";

/** The 403 page. (Pages whose refusal is the session's rule rather than the person's role say so themselves.) */
export default function Forbidden() {
  return (
    <main id="main">
      <h1>Not allowed</h1>
      <p>You are signed in, but your role does not allow this page. If you think it should, ask an organizer to give you the role.</p>
      <p>
        <Link href="/">Back to the agenda</Link>
      </p>
    </main>
  );
}
