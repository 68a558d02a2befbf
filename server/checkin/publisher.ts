import type { DeskCounts } from "../../lib/checkin";

/** The check-in desk's facts. The service calls this port; the transport (server/realtime/publishers) delivers them. */
export interface CheckInPublisher {
  /** Someone was checked in or added: every desk (on every instance) and the organizers' dashboard hear the new counts. */
  countsChanged(counts: DeskCounts): void;
}
