/**
 * Everything a page, route handler or socket handler may use: one instance per process, built by the
 * composition root (server/app.ts). Transports import this type, never the composition root itself.
 */
import type { AuthOptions } from "next-auth";
import type { Database, DatabaseHandle } from "../db/client";
import type { AgendaService } from "./agenda/service";
import type { AuditService } from "./audit/service";
import type { BrandingService } from "./branding/service";
import type { Guard } from "./auth/guard";
import type { AuthService } from "./auth/service";
import type { CaptionService } from "./captions/service";
import type { CheckInService } from "./checkin/service";
import type { Clock } from "./clock";
import type { DatabaseHealth } from "./health";
import type { Config } from "./config";
import type { Logger } from "./log";
import type { Mailer } from "./mail/mailer";
import type { NoteService } from "./messages/service";
import type { PeopleService } from "./people/service";
import type { PollService } from "./polls/service";
import type { QaService } from "./qa/service";
import type { PresenceTracker } from "./reports/presence";
import type { ReportService } from "./reports/service";
import type { FeedbackService } from "./reports/feedback";
import type { PlenaryIo } from "./realtime/io";
import type { RateLimiter } from "./realtime/rate-limit";
import type { StreamingService } from "./streaming/service";

export interface PlenaryServices {
  /** The configuration with `publicUrl` resolved. */
  config: Config & { publicUrl: string };
  log: Logger;
  clock: Clock;
  database: DatabaseHandle;
  db: Database;
  /** Can the database be read and written right now (a cached probe), and its recent failures. */
  health: DatabaseHealth;
  io: PlenaryIo;
  /** `ready` is false once shutdown begins; `redis` (with the Redis adapter) says whether Redis is connected. */
  realtime: { ready: boolean; redis?: () => boolean };
  /** Origins whose pages may open sockets and send state-changing requests. */
  allowedOrigins: Set<string>;
  limiter: RateLimiter;
  audit: AuditService;
  guard: Guard;
  auth: AuthService;
  nextAuth: AuthOptions;
  mailer: Mailer;
  people: PeopleService;
  agenda: AgendaService;
  /** LiveKit rooms, tokens, recordings, raised hands and webhooks; `available` is false without LiveKit. */
  streaming: StreamingService;
  polls: PollService;
  qa: QaService;
  /** Private notes from a session's producers to its panelists. */
  notes: NoteService;
  /** The event's name, logo and colour as organizers set them. */
  branding: BrandingService;
  /** The organizer's dashboard and exports (server/reports). */
  reports: ReportService;
  /** Session feedback surveys (anonymous). */
  feedback: FeedbackService;
  /** This instance's attendance counting (writes samples to the database). */
  presence: PresenceTracker;
  /** Live captions: the socket command and the ingest URL both go through it. */
  captions: CaptionService;
  /** The registration desk and personal passes. */
  checkIn: CheckInService;
}
