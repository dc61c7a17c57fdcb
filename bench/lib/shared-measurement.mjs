/**
 * One measurement behind several figures: B3 and B7 read the same sign-in rounds, B8 and B9
 * the same closed-loop reader rounds. The first figure that asks measures, the others of the
 * same set-up (the `shared` servers of fixture.mjs) get the same rounds, so each goal is a
 * figure of its own (own id, target and verdict) without measuring twice.
 */
const measured = new WeakMap();

/** The result of `measure()` for (`shared`, `key`), measured on the first call only. */
export function measureOnce(shared, key, measure) {
  let byKey = measured.get(shared);
  if (!byKey) measured.set(shared, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, measure());
  return byKey.get(key);
}
