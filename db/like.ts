/**
 * An ILIKE pattern that finds `text` anywhere, taken literally: a `%`, `_` or `\` someone types is
 * searched for as itself, never as a wildcard (Postgres's default escape character is `\`).
 */
export function containing(text: string): string {
  return `%${text.replace(/[%_\\]/g, "\\$&")}%`;
}
