/** The facts captions announce. The service calls this port; the transport (server/realtime/publishers) delivers them. */
import type { CaptionFeed, CaptionLine } from "../../lib/captions";

export interface CaptionPublisher {
  /** A caption, to everyone in the session (session page, overlay, room screen, panel, backstage). */
  captionAdded(sessionId: string, line: CaptionLine): void;
  /** The feed went live, stalled or resumed, or its WebVTT was published: to everyone in the session. */
  feedChanged(sessionId: string, feed: CaptionFeed): void;
}
