/** Platform time: business rules are stated in platform hours; a run's time scale maps them to real time. */
export const PLATFORM_HOUR_MS = 3_600_000;

/** Real milliseconds for `platformMs` under `timeScale`. */
export const realMs = (platformMs: number, timeScale: number) => platformMs * timeScale;

/** A PostgreSQL interval literal for `platformHours` of platform time under `timeScale`. */
export const realInterval = (platformHours: number, timeScale: number) =>
  `${(realMs(platformHours * PLATFORM_HOUR_MS, timeScale) / 1000).toFixed(3)} seconds`;
