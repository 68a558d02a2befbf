import Link from "next/link";
export default function NotFound() {
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>There is no such page or session in the programme. It may have been renamed.</p>
      <p>
        <Link href="/">Back to the agenda</Link>
      </p>
    </main>
  );
}
