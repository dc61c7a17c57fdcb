/**
 * A floor under the time an answer takes, for answers that must not say whether an account
 * exists (forgot password): a known address writes a token and queues a mail, an unknown one
 * writes nothing, and both then wait out the same floor. The floor sits well above the work
 * (a few milliseconds), so the two medians meet at the floor.
 */
export const FORGOT_PASSWORD_FLOOR_MS = 250;

/** Runs `work`, then waits until `floorMs` have passed since it started. Errors wait too. */
export async function withTimeFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = floorMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}
