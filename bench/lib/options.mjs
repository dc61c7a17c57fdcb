/**
 * The harness's command line, turned into one frozen `cfg` every module reads.
 *
 *   --smoke              one 1-second round of everything, no quiet-machine wait, no re-runs,
 *                        small B5 (2 000 + 2 000), small S1/S2 (2 000 accounts, 20 000 events), 16 users; writes bench/results.smoke.json
 *   --only B1,B3,…       the figures to measure (B1–B12, P1–P3, S1, S2; default all of them)
 *   --skip-profile       no CPU profiles
 *   --duration S (4)     per measurement; --rounds N (3); --warmup S (1.5)
 *   --connections N (10, B1/B2/B6/P1), --vus N (4 × cores, sign-in virtual users for B3/B4/P2/P3),
 *   --probe-rate R (200 req/s, B4), --probe-connections N (4, B4),
 *   --b5-sessions N (100000), --b5-keys N (100000), --b12-targets N (100000, B12's distinct
 *                        forward-auth targets; smoke 2 000),
 *   --scale-users N (100000), --scale-audit N (1000000), --scale-samples N (100): S1/S2's
 *                        seeded accounts and audit events, S1's requests per page (smoke:
 *                        2 000, 20 000, 10),
 *   --backend sqlite|postgres+redis (B1–B5, S2 and the profiles; B6 is always postgres+redis, S1 runs on both, P1–P3 SQLite),
 *   --node-env production|development|test (production),
 *   --out FILE (bench/results.json; the smoke: bench/results.smoke.json),
 *   --password-length N (16: random passwords of the B3/B4 users; B5's user has 12),
 *   --wait-quiet S (180; 0 for the smoke): before each figure, wait up to S seconds until no
 *                        other process keeps the CPU busy (figures measured next to foreign
 *                        load are flagged, disturbed rounds measured again)
 * A bad value (unknown figure or backend, a number that is not one) is an error, exit 2.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS } from './backends.mjs';
import { BENCH_DIR } from './processes.mjs';

export const FIGURE_IDS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12', 'P1', 'P2', 'P3', 'S1', 'S2'];
const NODE_ENVS = ['production', 'development', 'test'];

const NUMBERS = {
  duration: { normal: 4, smoke: 1 },
  rounds: { normal: 3, smoke: 1, integer: true },
  warmup: { normal: 1.5, smoke: 0.5 },
  connections: { normal: 10, integer: true },
  vus: { normal: 4 * os.cpus().length, integer: true },
  'probe-rate': { normal: 200 },
  'probe-connections': { normal: 4, integer: true },
  'b5-sessions': { normal: 100_000, smoke: 2000, integer: true },
  'b5-keys': { normal: 100_000, smoke: 2000, integer: true },
  'b12-targets': { normal: 100_000, smoke: 2000, integer: true },
  'scale-users': { normal: 100_000, smoke: 2000, integer: true },
  'scale-audit': { normal: 1_000_000, smoke: 20_000, integer: true },
  'scale-samples': { normal: 100, smoke: 10, integer: true },
  'wait-quiet': { normal: 180, smoke: 0, zero: true },
  'password-length': { normal: 16, integer: true },
};

export class UsageError extends Error {}

/** cfg from argv (process.argv.slice(2) by default); throws UsageError on a bad value. */
export function parseOptions(argv = process.argv.slice(2)) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: 'string' }])),
        backend: { type: 'string', default: 'sqlite' },
        only: { type: 'string' },
        'skip-profile': { type: 'boolean', default: false },
        'node-env': { type: 'string', default: 'production' },
        out: { type: 'string' },
        smoke: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  const smoke = values.smoke;
  const num = (name) => {
    const spec = NUMBERS[name];
    if (values[name] === undefined) return smoke && spec.smoke !== undefined ? spec.smoke : spec.normal;
    const value = Number(values[name]);
    const ok = Number.isFinite(value) && (value > 0 || (spec.zero && value === 0)) && (!spec.integer || Number.isInteger(value));
    if (!ok) throw new UsageError(`--${name} ${values[name]}: expected a ${spec.integer ? 'whole ' : ''}number${spec.zero ? ' ≥ 0' : ' > 0'}`);
    return value;
  };
  const only = (values.only ?? FIGURE_IDS.join(',')).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = only.filter((id) => !FIGURE_IDS.includes(id));
  if (unknown.length || only.length === 0) throw new UsageError(`--only ${values.only}: figures are ${FIGURE_IDS.join(', ')}`);
  if (!BACKENDS.includes(values.backend)) throw new UsageError(`--backend ${values.backend}: one of ${BACKENDS.join(', ')}`);
  if (!NODE_ENVS.includes(values['node-env'])) throw new UsageError(`--node-env ${values['node-env']}: one of ${NODE_ENVS.join(', ')}`);
  return Object.freeze({
    smoke,
    cpus: os.cpus().length,
    duration: num('duration'),
    rounds: num('rounds'),
    warmup: num('warmup'),
    connections: num('connections'),
    vus: num('vus'),
    probeRate: num('probe-rate'),
    probeConnections: num('probe-connections'),
    b5Sessions: num('b5-sessions'),
    b5Keys: num('b5-keys'),
    b12Targets: num('b12-targets'),
    scaleUsers: num('scale-users'),
    scaleAudit: num('scale-audit'),
    scaleSamples: num('scale-samples'),
    backend: values.backend,
    only: new Set(only),
    profile: !values['skip-profile'],
    nodeEnv: values['node-env'],
    out: values.out ? path.resolve(values.out) : path.join(BENCH_DIR, smoke ? 'results.smoke.json' : 'results.json'),
    b3Users: smoke ? 16 : 64,
    waitQuiet: num('wait-quiet'),
    /** A round disturbed by foreign load is measured again at most this many times. */
    maxRetries: smoke ? 0 : 2,
    passwordLength: num('password-length'),
  });
}
