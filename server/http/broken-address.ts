import type http from "node:http";

/**
 * Whether a request's path has a broken %-escape (`/sessions/%E0`): Next cannot decode such a path
 * and answers a bare 500, as if the server had failed, so these are refused before it with a 400
 * that says what is wrong with the address. The query string is left alone: each reader of it
 * already treats a bad value as a bad value.
 */
export function hasBrokenEscape(url: string): boolean {
  const path = url.split("?")[0];
  if (!path.includes("%")) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

const MESSAGE = "This address has a broken %-escape, so it cannot be read. Check the link, or go back to the programme.";

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>This address cannot be read — Plenary</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1b1b1b;background:#fff}main{max-width:36rem;margin:0 auto}a{color:#005ea2}</style>
</head>
<body>
<main>
<h1>This address cannot be read</h1>
<p>Part of it is not a valid web address (a broken %-escape), perhaps from a link that was cut or copied wrongly.</p>
<p><a href="/">Go to the programme</a></p>
</main>
</body>
</html>
`;

/** The 400: `{ error: { code, message } }` for the API, a small page for a browser. */
export function brokenAddress(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  const api = (req.url ?? "").startsWith("/api/");
  res.writeHead(400, { "content-type": api ? "application/json" : "text/html; charset=utf-8", "cache-control": "no-store" });
  if (req.method === "HEAD") res.end();
  else res.end(api ? JSON.stringify({ error: { code: "bad_request", message: MESSAGE } }) : html);
}
