import Link from "next/link";
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
