import Link from "next/link";
import { pageRefusal } from "@/server/http/page-auth";

/** The 403 page: the policy's reason when the page gave one (server/http/page-auth.ts), else the role. */
export default function Forbidden() {
  const reason = pageRefusal();
  return (
    <main id="main">
      <h1>Not allowed</h1>
      {reason ? (
        <p data-testid="refusal-reason">{reason}</p>
      ) : (
        <p>You are signed in, but your role does not allow this page. If you think it should, ask an organizer to give you the role.</p>
      )}
      <p>
        <Link href="/">Back to the agenda</Link>
      </p>
    </main>
  );
}
