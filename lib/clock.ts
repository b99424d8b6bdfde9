/** Time as an argument: everything that reads the time takes a Clock (tests inject a fixed one). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to; for tests and for replaying recorded events. */
export const manualClock = (startMs: number): Clock & { advance(ms: number): void; set(ms: number): void } => {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
    set: (ms: number) => {
      current = ms;
    },
  };
};
