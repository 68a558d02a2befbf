import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { settings } from "../db/schema";
import { databaseFault, type DatabaseFault } from "./db-errors";

/** What the last probe found: can the database be read, and can it be written? */
export interface DatabaseState {
  reachable: boolean;
  writable: boolean;
  /** Why not, when it cannot ("unknown" for an error no classification names). */
  fault?: { reason: DatabaseFault["reason"] | "unknown"; code: string };
  checkedAt: Date;
}

export interface RecentFailures {
  /** Database faults that failed commands and requests within the last `windowMs`. */
  count: number;
  windowMs: number;
  last?: { reason: string; code: string; at: string };
}

export interface HealthOptions {
  /** A probe result is reused for this long (so /healthz and pages cost at most one write per interval). */
  probeEveryMs?: number;
  /** How far back failures count as recent. */
  recentMs?: number;
}

const PROBE_KEY = "health:write-probe";

/**
 * The database's health as commands and requests meet it. A `SELECT 1` succeeds on a full disk or a
 * read-only database, so the probe also writes: a one-row upsert into `settings`, at most once per
 * `probeEveryMs`. Failures of real commands (fed by `noteFailure`) are counted and make the next
 * check probe again at once instead of trusting an older result.
 */
export class DatabaseHealth {
  private last: DatabaseState | undefined;
  private inflight: Promise<DatabaseState> | undefined;
  private failures: Array<{ at: number; fault: DatabaseFault }> = [];
  private readonly probeEveryMs: number;
  private readonly recentMs: number;

  constructor(
    private readonly db: Database,
    opts: HealthOptions = {},
  ) {
    this.probeEveryMs = opts.probeEveryMs ?? 2_000;
    this.recentMs = opts.recentMs ?? 60_000;
  }

  /** Records a failed command or request when a database fault caused it; anything else is ignored. */
  noteFailure(err: unknown): void {
    const fault = databaseFault(err);
    if (!fault) return;
    const now = Date.now();
    this.failures.push({ at: now, fault });
    if (this.failures.length > 1000) this.failures.splice(0, this.failures.length - 1000);
    // The last probe may predate the fault: the next check looks again.
    this.last = undefined;
  }

  recentFailures(): RecentFailures {
    const since = Date.now() - this.recentMs;
    while (this.failures.length && this.failures[0].at < since) this.failures.shift();
    const last = this.failures.at(-1);
    return {
      count: this.failures.length,
      windowMs: this.recentMs,
      ...(last ? { last: { reason: last.fault.reason, code: last.fault.code, at: new Date(last.at).toISOString() } } : {}),
    };
  }

  /**
   * The database's state: the last probe's when it is younger than `maxAgeMs` (default: the probe
   * interval), else a new probe (shared by concurrent callers).
   */
  async check(maxAgeMs = this.probeEveryMs): Promise<DatabaseState> {
    if (this.last && Date.now() - this.last.checkedAt.getTime() < maxAgeMs) return this.last;
    this.inflight ??= this.probe().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async probe(): Promise<DatabaseState> {
    let state: DatabaseState;
    try {
      await this.db.execute(sql`SELECT 1`);
      try {
        const value = new Date().toISOString();
        await this.db.insert(settings).values({ key: PROBE_KEY, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
        state = { reachable: true, writable: true, checkedAt: new Date() };
      } catch (err) {
        state = { reachable: true, writable: false, fault: faultOf(err), checkedAt: new Date() };
      }
    } catch (err) {
      state = { reachable: false, writable: false, fault: faultOf(err), checkedAt: new Date() };
    }
    this.last = state;
    return state;
  }
}

function faultOf(err: unknown): NonNullable<DatabaseState["fault"]> {
  const fault = databaseFault(err);
  if (fault) return fault;
  const code = (err as { code?: unknown; cause?: { code?: unknown } })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return { reason: "unknown", code: typeof code === "string" ? code : ((err as Error)?.name ?? "Error") };
}
