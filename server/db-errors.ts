/** Postgres errors reach us wrapped (drizzle wraps the driver's error in `cause`); these look through. */
function pgError(err: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const candidate = e as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate as never;
    e = candidate.cause;
  }
  return undefined;
}

export function isCheckViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  if (pg?.code !== "23514") return false;
  return !constraint || pg.constraint === constraint || Boolean(pg.message?.includes(constraint));
}
