/**
 * A Postgres array literal (`{"a","b",NULL}`) of these values, passed as one text parameter and cast in
 * the statement (`${pgArray(ids)}::uuid[]`): drizzle's `sql` would spread a JavaScript array into one
 * parameter per element, and PGlite and `pg` serialise array parameters differently. Every element is
 * quoted and escaped, so any text is safe; null is NULL.
 */
export function pgArray(values: ReadonlyArray<string | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/["\\]/g, "\\$&")}"`)).join(",")}}`;
}
