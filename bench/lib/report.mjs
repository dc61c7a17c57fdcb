/**
 * The report: the results document (meta about the machine, the code and the settings, then
 * figures, profiles and problems), the Markdown table of the figures, and the end of a run:
 * completeness, bench/results.json (or --out), the summary on stdout and the exit code.
 * Each figure module brings its own table rows (`rows(figure, cfg)`); cells use `fmt`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatSummary } from '../cpuprofile-top.mjs';
import { round } from './measure.mjs';
import { REPO_ROOT } from './processes.mjs';
import { NOISE_CORES } from './quiet.mjs';

/** SHA-256 over src/ and bin/ (names and contents): tells whether the code changed during the run. */
export function codeFingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) hash.update(path.relative(REPO_ROOT, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  for (const dir of ['src', 'bin']) walk(path.join(REPO_ROOT, dir));
  return hash.digest('hex').slice(0, 16);
}

function gitState() {
  try {
    const run = (...a) => execFileSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = run('status', '--porcelain', '--', 'src', 'bin', 'package.json').split('\n').filter(Boolean);
    return { head: run('rev-parse', '--short', 'HEAD'), uncommittedInSrc: dirty };
  } catch {
    return undefined;
  }
}

/** A new results document; `gatehouseEnv` is what every Gatehouse process gets (servers.mjs). */
export function newResults(cfg, gatehouseEnv) {
  return {
    meta: {
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: new Date().toISOString(),
      node: process.version,
      cpus: cfg.cpus,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      git: gitState(),
      codeAtStart: codeFingerprint(),
      config: { ...cfg, only: [...cfg.only] },
      serverFlags: '--expose-gc --import bench/eld-probe.mjs (Gatehouse and baseline alike)',
      gatehouseEnv,
    },
    figures: {},
    profiles: {},
    problems: [],
  };
}

/** A spread as `median [min–max]` (just the median when all rounds agree); n/a when missing. */
export function fmt(s, digits = 0) {
  if (!s || s.median === null || s.median === undefined) return 'n/a';
  const f = (v) => Number(v).toFixed(digits);
  return s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

const verdict = (f) => (!f.valid ? 'INVALID (errors)' : f.pass === null ? 'reported' : f.pass ? 'pass' : 'FAIL');

/**
 * The Markdown table of the measured figures. A figure's first row is
 * [id, figure, Gatehouse, baseline, ratio, target] and gets the verdict appended; further
 * rows (latencies, …) are [label, Gatehouse, baseline] under it.
 */
export function table(results, figureModules, cfg) {
  const rows = [
    ['id', 'figure', 'Gatehouse', 'baseline (same run)', 'ratio', 'target', 'result'],
    ['---', '---', '---', '---', '---', '---', '---'],
  ];
  for (const module of figureModules) {
    const figure = results.figures[module.id];
    if (!figure) continue;
    const [head, ...details] = module.rows(figure, cfg);
    rows.push([...head, verdict(figure)]);
    for (const [label, gatehouse, baseline = ''] of details) rows.push(['', label, gatehouse, baseline, '', '', '']);
  }
  const noisy = Object.values(results.figures).filter((f) => f.otherCoresMax > NOISE_CORES);
  const note = noisy.length
    ? `\n\nOther processes used CPU during: ${noisy.map((f) => `${f.id} (up to ${f.otherCoresMax} cores)`).join(', ')}; those figures are less reliable.`
    : '';
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n') + note;
}

/** How many measured figures met their target, missed it, were only reported, or had errors. */
export function verdictCounts(results) {
  const counts = { pass: 0, FAIL: 0, reported: 0, 'INVALID (errors)': 0 };
  for (const figure of Object.values(results.figures)) counts[verdict(figure)] += 1;
  return counts;
}

/** Completes `results`, writes it to cfg.out, prints the summary; returns the exit code (0 = complete). */
export function finishReport(results, figureModules, cfg, { expectedProfiles }) {
  const { meta } = results;
  meta.seconds = Math.round((Date.now() - Date.parse(meta.startedAt)) / 1000);
  meta.codeAtEnd = codeFingerprint();
  if (meta.codeAtEnd !== meta.codeAtStart) results.problems.push('src/ or bin/ changed during the run: figures may come from different code; run again');
  results.table = table(results, figureModules, cfg);
  results.verdicts = verdictCounts(results);
  const missing = [...cfg.only].filter((id) => !results.figures[id] || results.figures[id].ratio?.median == null);
  const invalid = Object.values(results.figures).filter((f) => !f.valid).map((f) => f.id);
  if (cfg.profile && Object.keys(results.profiles).length < expectedProfiles) missing.push('profiles');
  results.complete = missing.length === 0 && invalid.length === 0;
  writeFileSync(cfg.out, `${JSON.stringify(results, null, 2)}\n`);

  console.log(`\nGatehouse benchmark — ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}, ${meta.seconds} s`);
  console.log(`command: ${meta.command}`);
  console.log(`code: git ${meta.git?.head ?? '?'}${meta.git?.uncommittedInSrc?.length ? ' + uncommitted changes' : ''}, src fingerprint ${meta.codeAtStart}\n`);
  console.log(results.table);
  const v = results.verdicts;
  console.log(`\ntargets: ${v.pass} pass, ${v.FAIL} FAIL, ${v.reported} reported only, ${v['INVALID (errors)']} measured with errors`);
  for (const [name, summary] of Object.entries(results.profiles)) {
    console.log(`\nCPU profile ${name} — top ${summary.topFunctions.length} by self time:`);
    console.log(formatSummary(summary));
  }
  if (results.problems.length) console.log(`\nproblems:\n${results.problems.join('\n')}`);
  if (missing.length) console.log(`\nnot produced: ${missing.join(', ')}`);
  if (invalid.length) console.log(`\nmeasured with errors (see results.json): ${invalid.join(', ')}`);
  console.log(`\nresults: ${path.relative(process.cwd(), cfg.out)}`);
  return results.complete ? 0 : 1;
}
