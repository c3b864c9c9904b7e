/** Time as a parameter: domain code asks a Clock, so tests and the simulator can move time. */

export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests and the simulator set and advance by hand. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string | number): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A clock stopped at one instant. */
export function fixedClock(at: Date | string | number): Clock {
  const t = new Date(at).getTime();
  return { now: () => new Date(t) };
}
