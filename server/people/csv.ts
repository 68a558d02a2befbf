import { parse } from "csv-parse/sync";
import { z } from "zod";
import { checkText } from "../../lib/text";

/** One participant row as an organizer writes it in a spreadsheet. */
export interface ParsedParticipant {
  line: number;
  name: string;
  email: string;
  affiliation: string | null;
  attendanceMode: "in_person" | "remote";
  organizer: boolean;
  /** Runs the check-in desk (roles column: `check-in`). */
  checkIn: boolean;
  roles: Array<{ role: "moderator" | "panelist"; sessionSlug: string }>;
}

export interface RowProblem {
  line: number;
  email?: string;
  errors: string[];
}

export const CSV_COLUMNS = ["name", "email", "affiliation", "attendance_mode", "roles"] as const;
const emailSchema = z.email();
const MAX_ROWS = 5000;

/** A cell quoted back in a message, its control characters shown as U+XXXX instead of sent raw. */
function quoted(cell: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it shows.
  return `"${cell.replace(/[\u0000-\u001f\u007f-\u009f]/gu, (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)}"`;
}

/**
 * Parses the participants file: columns name, email, affiliation, attendance_mode (in_person |
 * remote) and roles (`;`-separated: `organizer`, `check-in`, `moderator:<session slug>`, `panelist:<session slug>`).
 * Every row gets its own errors; a row with any error is not imported.
 */
export function parseParticipantsCsv(text: string, knownSlugs: Set<string>): { rows: ParsedParticipant[]; problems: RowProblem[]; fileError?: string } {
  let records: Record<string, string>[];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), {
      columns: (header: string[]) =>
        header.map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, "_"),
        ),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      max_record_size: 10_000,
    });
  } catch (err) {
    return { rows: [], problems: [], fileError: `The file is not valid CSV: ${(err as Error).message}` };
  }
  if (records.length > MAX_ROWS) return { rows: [], problems: [], fileError: `At most ${MAX_ROWS} rows per import.` };
  const header = records.length ? Object.keys(records[0]) : [];
  const missing = ["name", "email"].filter((c) => !header.includes(c));
  if (records.length && missing.length)
    return { rows: [], problems: [], fileError: `Missing column(s): ${missing.join(", ")}. Expected: ${CSV_COLUMNS.join(", ")}.` };

  const rows: ParsedParticipant[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    const line = i + 2; // 1-based, after the header
    const errors: string[] = [];
    // Names and affiliations follow lib/text.ts, like every other text field: no control characters,
    // and a name needs something visible.
    const nameCheck = checkText(r.name ?? "", { what: "name", min: 1, max: 120 });
    const name = nameCheck.ok ? nameCheck.text : "";
    const email = (r.email ?? "").trim().toLowerCase();
    if (!nameCheck.ok) errors.push(nameCheck.message);
    if (!emailSchema.safeParse(email).success) errors.push(`${quoted(r.email ?? "")} is not a valid e-mail address`);
    else if (seen.has(email)) errors.push(`duplicate of line ${seen.get(email)} (same e-mail)`);
    else seen.set(email, line);
    const modeRaw = (r.attendance_mode ?? "")
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    const attendanceMode = modeRaw === "" ? "remote" : modeRaw === "in_person" || modeRaw === "remote" ? modeRaw : null;
    if (!attendanceMode) errors.push(`attendance_mode ${quoted(r.attendance_mode ?? "")} must be in_person or remote`);
    let organizer = false;
    let checkIn = false;
    const roles: ParsedParticipant["roles"] = [];
    for (const token of (r.roles ?? "")
      .split(";")
      .map((t) => t.trim())
      .filter(Boolean)) {
      if (token.toLowerCase() === "organizer") {
        organizer = true;
        continue;
      }
      if (/^check[-_ ]?in$/i.test(token)) {
        checkIn = true;
        continue;
      }
      const m = /^(moderator|panelist):(.+)$/i.exec(token);
      if (!m) {
        errors.push(`role ${quoted(token)} is not organizer, check-in, moderator:<session> or panelist:<session>`);
        continue;
      }
      const sessionSlug = m[2].trim();
      if (!knownSlugs.has(sessionSlug)) errors.push(`unknown session ${quoted(sessionSlug)}`);
      else roles.push({ role: m[1].toLowerCase() as "moderator" | "panelist", sessionSlug });
    }
    const affiliationCheck = checkText(r.affiliation ?? "", { what: "affiliation", max: 200 });
    if (!affiliationCheck.ok) errors.push(affiliationCheck.message);
    const affiliation = affiliationCheck.ok && affiliationCheck.text ? affiliationCheck.text : null;
    if (errors.length) problems.push({ line, email: email || undefined, errors });
    else rows.push({ line, name, email, affiliation, attendanceMode: attendanceMode!, organizer, checkIn, roles });
  });
  return { rows, problems };
}
