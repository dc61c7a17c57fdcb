/**
 * Interleaved timing rounds for the enumeration tests: every arm is measured once per round,
 * in an order rotated each round (no arm always follows the same one), after a few warm-up
 * rounds; medians per arm and median ratios within a round (arms measured moments apart, so
 * load that drifts across rounds cancels).
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface TimingRounds<Arm extends string> {
  rounds: Record<Arm, number>[];
  /** Median milliseconds per arm. */
  medians: Record<Arm, number>;
  /** `arm=12.3ms …`, for assertion messages. */
  summary: string;
  /** Median over rounds of `arm / reference`. */
  ratio(arm: Arm, reference: Arm): number;
}

/** Runs `rounds` measured rounds of every arm (each returns elapsed milliseconds). */
export async function measureRounds<Arm extends string>(
  arms: Record<Arm, () => Promise<number>>,
  options: { rounds?: number; warmUpRounds?: number } = {},
): Promise<TimingRounds<Arm>> {
  const { rounds: count = 21, warmUpRounds = 3 } = options;
  const names = Object.keys(arms) as Arm[];
  const rounds: Record<Arm, number>[] = [];
  for (let round = 0; round < warmUpRounds + count; round += 1) {
    const times = {} as Record<Arm, number>;
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(round + i) % names.length]!;
      times[name] = await arms[name]();
    }
    if (round >= warmUpRounds) rounds.push(times);
  }
  const medians = Object.fromEntries(names.map((name) => [name, median(rounds.map((r) => r[name]))])) as Record<Arm, number>;
  const summary = names.map((name) => `${name}=${medians[name].toFixed(1)}ms`).join(' ');
  return { rounds, medians, summary, ratio: (arm, reference) => median(rounds.map((r) => r[arm] / r[reference])) };
}
