export default function Forbidden() {
  return (
    <main id="main">
      <h1>Not allowed</h1>
      <p>You are signed in, but your role does not allow this page. If you think it should, ask an organizer to give you the role.</p>
      <p>
        <a href="/">Back to the agenda</a>
      </p>
    </main>
  );
}
