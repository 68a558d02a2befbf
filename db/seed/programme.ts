import { nonInteractiveKinds, type SessionKind, type SessionRule } from "../../lib/agenda";

/**
 * The 2024 FMS Symposium programme, transcribed from db/seed/fms-symposium-2024-agenda.md (a copy of
 * the organizers' published agenda). Times are event-local (America/New_York). Nothing here is invented:
 * no speakers are named because the seed names none, and the 15:45–16:00 Thursday gap stays a gap.
 * programme.test.ts checks this table against the markdown.
 */

export const fmsEvent = {
  slug: "fms-2024",
  name: "2024 Foreign Military Sales Symposium",
  theme: "Professionalization of the Workforce and the Promise of Security Cooperation",
  summary: [
    "This is the first Foreign Military Sales (FMS) Symposium hosted by the Defense Security Cooperation University's School of Security Cooperation Studies and the Office of the Under Secretary of Defense for Acquisition and Sustainment (OUSD(A&S)). It examines ways to build a stronger foundation for innovation in executing the FMS mission and informs policymakers, implementers, and researchers involved in this key aspect of U.S. foreign policy. This symposium pulls together scholars and practitioners from across the DoD, Department of State, interagency, academia, industry, and foreign partners, and is intended to build on the collaboration and analysis generated through DSCU's annual SC Conference.",
    "The symposium also raises awareness and understanding among officials of foreign governments, U.S. embassy personnel, and representatives of the defense industrial base with respect to the role of DoD in implementing the FMS process. The first day of the symposium observes Chatham House Rule. The second day, hosted by OUSD (A&S), includes a virtual component to enable maximum participation from across the FMS stakeholder community.",
    "This one-and-a-half-day FMS Symposium features a series of plenary sessions including leaders and experts engaged in all aspects of the FMS process. Each panel, organized around facets of the FMS system, explores the challenges and opportunities that FMS presents in advancing the National Defense Strategy. The Symposium will be held at the Gaylord National Resort & Convention Center in the National Harbor, Maryland.",
  ].join("\n\n"),
  venue: "Gaylord National Resort & Convention Center",
  city: "National Harbor, Maryland",
  timeZone: "America/New_York",
} as const;

export interface ProgrammeItem {
  slug: string;
  day: "2024-05-23" | "2024-05-24";
  start: string;
  end: string;
  title: string;
  topic?: string;
  description?: string;
  kind: SessionKind;
}

const DAY1 = "2024-05-23" as const;
const DAY2 = "2024-05-24" as const;

export const programme: readonly ProgrammeItem[] = [
  { slug: "registration-and-check-in", day: DAY1, start: "08:00", end: "08:30", title: "Registration & Check-in", kind: "registration" },
  { slug: "administrative-remarks", day: DAY1, start: "08:30", end: "08:40", title: "Administrative Remarks", kind: "remarks" },
  {
    slug: "welcome-and-opening-remarks",
    day: DAY1,
    start: "08:40",
    end: "09:00",
    title: "Welcome & Opening Remarks",
    topic: "Institutionalizing Excellence in FMS",
    kind: "remarks",
  },
  {
    slug: "keynote-fms-and-the-strategic-environment",
    day: DAY1,
    start: "09:00",
    end: "09:30",
    title: "Keynote Address – FMS and the Strategic Environment",
    kind: "keynote",
  },
  { slug: "break-thursday-0930", day: DAY1, start: "09:30", end: "09:45", title: "Break", kind: "break" },
  {
    slug: "fms-planning",
    day: DAY1,
    start: "09:45",
    end: "11:15",
    title: "FMS Planning: Understanding Partner Nation Needs",
    description:
      "This panel examines the challenges and opportunities of using FMS as a tool of statecraft intended to influence a partner's national security policy and defense decisions in strategically contested spaces. This panel examines approaches for collaboration with partners across the planning and implementation continuum, offering insights and evidence to help address challenges and leverage opportunities.",
    kind: "panel",
  },
  { slug: "hosted-lunch", day: DAY1, start: "11:15", end: "12:00", title: "Hosted Lunch", kind: "meal" },
  {
    slug: "dsca-workforce-initiative-update",
    day: DAY1,
    start: "12:00",
    end: "12:30",
    title: "DSCA Workforce Initiative Update & Announcement of the FMS Center of Excellence",
    kind: "announcement",
  },
  {
    slug: "fms-case-development",
    day: DAY1,
    start: "12:30",
    end: "14:00",
    title: "FMS Case Development: A System of Systems",
    description:
      "This panel examines approaches to using FMS to advance national security objectives. Arms transfers can enhance the ability of reliable partners to develop critical capabilities but must consider issues of technology security and foreign disclosure. Concerns about the efficiency and effectiveness of FMS processes persist and take on new dimensions in an era of strategic competition. The 2023 Conventional Arms Transfer Policy, recent reviews of the FMS system, and ongoing research highlight the need for processes that effectively and responsibly develop and transfer arms, while also addressing Technology Security and Foreign Disclosure requirements.",
    kind: "panel",
  },
  { slug: "break-thursday-1400", day: DAY1, start: "14:00", end: "14:15", title: "Break", kind: "break" },
  {
    slug: "fms-prioritization-and-possibilities",
    day: DAY1,
    start: "14:15",
    end: "15:45",
    title: "FMS Prioritization and Possibilities",
    description:
      "This panel addresses foreign military sales in its complex operating environment to gain insights about how they can better meet national security objectives in an era of strategic competition. How policymakers prioritize limited resources has been an enduring challenge, and developing a better understanding of how to align FMS with foreign policy objectives may help the United States become a more effective partner.",
    kind: "panel",
  },
  {
    slug: "fms-infrastructure-industrial-base",
    day: DAY1,
    start: "16:00",
    end: "17:30",
    title: "FMS Infrastructure: Industrial Base",
    description:
      "This panel explores the foreign military sales infrastructure based on the industrial base necessary to meet the demands of foreign partners. It will help to create a shared understanding of challenges, and opportunities that enhance timely delivery of capabilities while maintaining quality control that enhance the efficiency and effectiveness of FMS infrastructure within the industrial base.",
    kind: "panel",
  },
  { slug: "reception", day: DAY1, start: "17:30", end: "18:45", title: "Reception", kind: "reception" },
  { slug: "admin-remarks-friday", day: DAY2, start: "08:30", end: "08:40", title: "Admin Remarks", kind: "remarks" },
  {
    slug: "conversation-with-asd-acquisition",
    day: DAY2,
    start: "08:45",
    end: "09:30",
    title: "A Conversation with the Assistant Secretary of Defense for Acquisition",
    kind: "conversation",
  },
  { slug: "break-friday-0930", day: DAY2, start: "09:30", end: "09:45", title: "Break", kind: "break" },
  { slug: "defense-industry-perspectives", day: DAY2, start: "09:45", end: "11:15", title: "Defense Industry Perspectives", kind: "panel" },
  { slug: "break-friday-1115", day: DAY2, start: "11:15", end: "11:30", title: "Break", kind: "break" },
  { slug: "wrap-up-discussion-and-conclusion", day: DAY2, start: "11:30", end: "12:00", title: "Wrap-Up Discussion and Conclusion", kind: "wrap_up" },
];

export const DAY1_HOST = "DSCU School of Security Cooperation Studies";
export const DAY2_HOST = "OUSD(A&S)";

/** The event's rules applied to one item: Day 1 is Chatham House and in the room only; Day 2 is streamed. */
export function policyFor(item: ProgrammeItem): {
  host: string;
  rule: SessionRule;
  streamed: boolean;
  recordingAllowed: boolean;
  qaEnabled: boolean;
  pollsEnabled: boolean;
} {
  const interactive = !nonInteractiveKinds.includes(item.kind);
  if (item.day === DAY1) {
    return { host: DAY1_HOST, rule: "chatham_house", streamed: false, recordingAllowed: false, qaEnabled: interactive, pollsEnabled: interactive };
  }
  return { host: DAY2_HOST, rule: "on_record", streamed: interactive, recordingAllowed: interactive, qaEnabled: interactive, pollsEnabled: interactive };
}
