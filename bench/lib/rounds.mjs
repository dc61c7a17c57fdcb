/**
 * Rounds: every figure but B5 is cfg.rounds rounds; each round measures Gatehouse and its
 * baseline (or the two conditions compared) back to back, the side that goes first
 * alternating between rounds, and yields one ratio. A figure reports the median of its
 * rounds with min and max (`spread`), and has one shape in results.json (`figureOf`).
 */
import { round } from './measure.mjs';
import { stableRound } from './quiet.mjs';

/** Median (mean of the middle two for an even count), min and max of the rounds' values. */
export function spread(values) {
  const clean = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (clean.length === 0) return { median: null, min: null, max: null, rounds: values };
  const sorted = [...clean].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), rounds: values };
}

/** spread of one value picked from every round. */
export const spreadOf = (rounds, pick) => spread(rounds.map(pick));

/** { p50, p99 } spreads of the latencies (an object with p50 and p99) picked from every round. */
export const latencyOf = (rounds, pick) => ({ p50: spreadOf(rounds, (r) => pick(r).p50), p99: spreadOf(rounds, (r) => pick(r).p99) });

/** Non-2xx answers, socket errors and timeouts of autocannon runs. */
export const sumBad = (runs) => runs.reduce((n, run) => n + (run.bad ?? 0) + (run.errors ?? 0) + (run.timeouts ?? 0), 0);

/** Whether a value meets a target { op: '>=' | '<=' | 'report', value }; null when only reported. */
export function passes(target, value) {
  if (target.op === 'report') return null;
  if (value === null || value === undefined) return false;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/**
 * Runs the rounds of figure `id`: in round r, `measure(side, r)` for each of the two `sides`
 * (the first one first in even rounds), through stableRound (a round disturbed by foreign
 * load is measured again); then `ratio(entry)` and one log line `describe(entry)`.
 * Returns the entries: { [side]: run, ratio, retries, foreignCores }.
 */
export async function runRounds(ctx, id, { sides, measure, ratio, describe }) {
  const rounds = [];
  for (let r = 0; r < ctx.cfg.rounds; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    const entry = await stableRound(ctx, id, r, async () => {
      const entry = {};
      for (const side of order) entry[side] = await measure(side, r);
      return entry;
    });
    entry.ratio = ratio(entry);
    ctx.log(`  round ${r + 1}: ${describe(entry)}`);
    rounds.push(entry);
  }
  return rounds;
}

/** Compact per-round record of an autocannon run for results.json. */
export function roundOf(run) {
  return {
    perSecond: round(run.perSecond, 1),
    requests: run.requests,
    latencyMs: Object.fromEntries(Object.entries(run.latencyMs).map(([k, v]) => [k, round(v, 3)])),
    statuses: run.statuses,
    cpu: run.cpu,
    eld: run.eld,
  };
}

/**
 * The results.json entry of a figure measured in rounds. `gatehouse` and `baseline` pick the
 * compared values from a round, `details` (latencies, event-loop delay, …) is placed after
 * the ratio, `record(round)` is what each round keeps; `bad` counts failed answers.
 */
export function figureOf({ id, what, unit, rounds, gatehouse, baseline, details = {}, target, bad, method, record, ratioDigits = 4 }) {
  const ratio = spreadOf(rounds, (r) => r.ratio);
  return {
    id,
    what,
    unit,
    gatehouse: spreadOf(rounds, gatehouse),
    baseline: spreadOf(rounds, baseline),
    ratio,
    ...details,
    target,
    pass: passes(target, ratio.median),
    badResponses: bad,
    valid: bad === 0,
    otherCoresMax: round(Math.max(0, ...rounds.map((r) => r.foreignCores)), 2),
    retriedRounds: rounds.reduce((n, r) => n + r.retries, 0),
    method,
    rounds: rounds.map((r) => ({ ...record(r), ratio: round(r.ratio, ratioDigits) })),
  };
}
