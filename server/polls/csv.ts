import { stringify } from "csv-stringify/sync";
import { formatCount, pollKindLabels, statusLabels, type PollResults, type PollView } from "../../lib/polls";

type Cell = string | number | null;

/**
 * A cell a spreadsheet will not run: text starting with = + - @ tab or carriage return (the
 * characters Excel, LibreOffice and Google Sheets read as a formula) gets a leading apostrophe.
 * csv-stringify does the quoting; this guard stays on top because no CSV library knows about formulas.
 */
export function guardFormula(value: Cell): Cell {
  return typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting (csv-stringify), plus quotes around leading or trailing spaces (so they survive) and any lone CR or LF (which spreadsheets read as a line break). */
const OPTIONS = { quoted_match: /^\s|\s$|[\r\n]/, record_delimiter: "windows" } as const;

export function csvLine(cells: Cell[]): string {
  return stringify([cells.map(guardFormula)], OPTIONS).replace(/\r\n$/, "");
}

export function csvCell(value: Cell): string {
  return csvLine([value]);
}

export const CSV_HEADER = ["Poll", "Question", "Kind", "Status", "Answer", "Count", "Percent of respondents", "Respondents"];

/** Totals only, as the projection gives them: one line per option, rating value or word. A UTF-8 byte-order mark leads, so Excel reads the file as UTF-8. */
export function resultsCsv(entries: Array<{ number: number; poll: PollView; results: PollResults }>): string {
  const records: Cell[][] = [CSV_HEADER];
  for (const { number, poll, results } of entries) {
    const head = [number, poll.question, pollKindLabels[poll.kind], statusLabels[poll.status]];
    const respondents = formatCount(results.respondents);
    for (const row of results.rows) records.push([...head, row.label, formatCount(row.count), row.percent, respondents]);
    if (results.otherAnswers !== null) records.push([...head, "(other answers)", formatCount(results.otherAnswers), null, respondents]);
    if (results.mean !== null) records.push([...head, "(mean rating)", results.mean, null, respondents]);
  }
  return csvDocument(records);
}

/** A whole CSV file: every cell guarded against formulas, RFC 4180 quoting, CRLF, and a UTF-8 byte-order mark so Excel reads it as UTF-8. */
export function csvDocument(records: Cell[][]): string {
  return stringify(
    records.map((r) => r.map(guardFormula)),
    { ...OPTIONS, bom: true },
  );
}
