import { CHATHAM_HOUSE_BADGE, type AgendaItem, type LiveStatus } from "@/lib/agenda";

/**
 * The rule and policy badges of one agenda item, in the same words everywhere. `ruleShownByDay`: the
 * agenda shows the Chatham House mark once for the whole day (with its legend), so rows leave it out.
 */
export function RuleBadges({ item, status, ruleShownByDay = false }: { item: AgendaItem; status?: LiveStatus; ruleShownByDay?: boolean }) {
  return (
    <ul className="badges" aria-label="Session rules">
      {status === "live" ? <li className="badge badge-live">Live now</li> : null}
      {status === "next" ? <li className="badge badge-next">Up next</li> : null}
      {item.rule === "chatham_house" && !ruleShownByDay ? <li className="badge badge-chatham">{CHATHAM_HOUSE_BADGE}</li> : null}
      {item.rule === "on_record" ? <li className="badge badge-plain">On the record · hosted by {item.host}</li> : null}
      {item.streamed ? <li className="badge badge-streamed">Streamed live</li> : null}
      {item.qaEnabled ? <li className="badge badge-plain">Q&amp;A</li> : null}
      {item.pollsEnabled ? <li className="badge badge-plain">Polls</li> : null}
    </ul>
  );
}
