/** The server's notion of "now". Everything time-dependent (live badges, windows, poll timers) asks it. */
export interface Clock {
  now(): Date;
  /** True when the clock is simulated (PLENARY_NOW or a test). */
  readonly simulated: boolean;
}

export const systemClock: Clock = { now: () => new Date(), simulated: false };

/**
 * A simulated clock starts at a fixed instant and then advances in real time, so a demo of
 * "Friday 09:00" keeps moving. Tests may move it with `set`.
 */
export class SimulatedClock implements Clock {
  readonly simulated = true;
  private offsetMs: number;
  constructor(start: Date) {
    this.offsetMs = start.getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  set(instant: Date): void {
    this.offsetMs = instant.getTime() - Date.now();
  }
}

export function clockFor(now?: Date): Clock {
  return now ? new SimulatedClock(now) : systemClock;
}
