import type http from "node:http";
import type { PlenaryServices } from "../services";
import { toAppError } from "../errors";
import { metrics } from "../metrics";
import { readBody } from "./read-body";

/** LiveKit's webhook bodies are small JSON events; anything larger is not from LiveKit. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * POST /api/livekit/webhook — LiveKit's events (attendance, the recording guard). A plain Node route
 * so it runs in the socket server's process and reads the body exactly as sent: the signature covers
 * the raw bytes, never a re-serialised object.
 */
export async function livekitWebhook(app: PlenaryServices, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) {
      metrics().webhooks.inc({ event: "unknown", outcome: "too_large" });
      return reply(413, { error: { code: "invalid_payload", message: `The webhook body is larger than ${MAX_BODY_BYTES} bytes.` } });
    }
    const outcome = await app.streaming.webhooks.receive(body, req.headers.authorization);
    metrics().webhooks.inc(outcome.handled ? { event: webhookEventLabel(outcome.event), outcome: "handled" } : { event: "unknown", outcome: outcome.reason });
    reply(200, outcome);
  } catch (err) {
    const e = toAppError(err);
    metrics().webhooks.inc({ event: "unknown", outcome: e.code });
    if (e.code === "internal") app.log.error("LiveKit webhook failed", { err });
    reply(e.status, { error: { code: e.code, message: e.message } });
  }
}

/** LiveKit's event names are a short fixed list; anything else is counted as "other", keeping the label set small. */
function webhookEventLabel(event: string): string {
  return /^(room|participant|track|egress|ingress)_[a-z_]{1,20}$/.test(event) ? event : "other";
}
