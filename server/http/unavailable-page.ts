import type http from "node:http";
import { UNAVAILABLE_RETRY_MS } from "../errors";

/**
 * The page a browser gets while the database cannot be reached: a 503 with Retry-After (so proxies
 * and crawlers know it is brief), in plain HTML that needs nothing else from the server (no
 * stylesheet, no script: those could fail too). It does not reload by itself (WCAG 2.2.1: no
 * unannounced timing); it says what happened, that nothing is lost, and offers to try again.
 */
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plenary is briefly unavailable</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1b1b1b;background:#fff}main{max-width:36rem;margin:0 auto}a{color:#005ea2}</style>
</head>
<body>
<main>
<h1>Plenary is briefly unavailable</h1>
<p>The service cannot reach its database right now. This usually lasts a few seconds to a minute.</p>
<p>Nothing you already sent is lost. Questions, votes and answers waiting on your device are sent when the service is back.</p>
<p><a href="">Try again</a></p>
</main>
</body>
</html>
`;

export function unavailablePage(res: http.ServerResponse, head = false): void {
  res.writeHead(503, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "retry-after": String(Math.ceil(UNAVAILABLE_RETRY_MS / 1000)),
  });
  res.end(head ? undefined : html);
}
