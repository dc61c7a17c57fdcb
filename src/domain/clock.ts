/** Time source of the domain; tests pass a controllable clock instead of mocking globals. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
