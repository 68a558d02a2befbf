import type { DeskCounts } from "../../lib/checkin";

/** The check-in desk's facts. The service calls this port; the transport (server/realtime/publishers) delivers them. */
export interface CheckInPublisher {
  /** Someone was checked in (or added): every desk (on every instance) hears who and the new counts; the organizers' dashboard hears of it. */
  checkedIn(counts: DeskCounts, person: { userId: string; checkedInAt: string }): void;
}
