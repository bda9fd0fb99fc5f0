/** A poll running in the background until stopped. */
export interface Poll {
  stop(): void;
}

/**
 * Looks (`look`) about every `everyMs` and hands each answer to `use` until stopped: a look still going skips the
 * next turn, a look that fails is skipped (the next one may answer), and an answer arriving after stop is dropped.
 */
export function poll<T>(look: () => Promise<T>, use: (answer: T) => void, everyMs: number): Poll {
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    look()
      .then(
        (answer) => stopped || use(answer),
        () => undefined,
      )
      .finally(() => (busy = false));
  }, everyMs);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
