import { formatCount, pollKindLabels, statusLabels, type PollResults, type PollView } from "../../lib/polls";

/**
 * A cell a spreadsheet will not run: text starting with = + - @ tab or carriage return (the
 * characters Excel, LibreOffice and Google Sheets read as a formula) gets a leading apostrophe, then
 * the cell is quoted as RFC 4180 asks.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: Array<string | number | null>): string {
  return cells.map(csvCell).join(",");
}

export const CSV_HEADER = ["Poll", "Question", "Kind", "Status", "Answer", "Count", "Percent of respondents", "Respondents"];

/** Totals only, as the projection gives them: one line per option, rating value or word. */
export function resultsCsv(entries: Array<{ number: number; poll: PollView; results: PollResults }>): string {
  const lines = [csvLine(CSV_HEADER)];
  for (const { number, poll, results } of entries) {
    const head = [number, poll.question, pollKindLabels[poll.kind], statusLabels[poll.status]];
    const respondents = formatCount(results.respondents);
    for (const row of results.rows) lines.push(csvLine([...head, row.label, formatCount(row.count), row.percent, respondents]));
    if (results.otherAnswers !== null) lines.push(csvLine([...head, "(other answers)", formatCount(results.otherAnswers), null, respondents]));
    if (results.mean !== null) lines.push(csvLine([...head, "(mean rating)", results.mean, null, respondents]));
  }
  return lines.join("\r\n") + "\r\n";
}
