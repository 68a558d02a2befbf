/** The facts the agenda announces. The service calls this port; the transport (server/realtime/publishers) delivers them. */
import type { AgendaItem } from "../../lib/agenda";

export interface AgendaPublisher {
  agendaChanged(item: AgendaItem): void;
}
