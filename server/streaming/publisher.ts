/** The facts streaming announces. The service calls this port; the transport (server/realtime/publishers) delivers them. */
import type { HandQueue, MyHand, StreamAttendance, StreamSnapshot } from "../../lib/streaming";

export interface StreamPublisher {
  /** To everyone in the session (viewers, backstage, room screens). */
  streamChanged(sessionId: string, snapshot: StreamSnapshot): void;
  /** To the session's organizers and moderators. */
  attendanceChanged(sessionId: string, attendance: StreamAttendance): void;
  handQueueChanged(sessionId: string, queue: HandQueue): void;
  /** To every tab of one person. */
  handChanged(userId: string, hand: MyHand): void;
}
