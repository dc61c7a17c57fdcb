/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time, and
 * self time grouped by where the code lives (a package under node_modules, a file of src/,
 * Node's internals, native/GC/idle).
 *
 *   node bench/cpuprofile-top.mjs <file.cpuprofile | dir> [--top 15] [--json] [--from-us T --to-us T]
 *
 * --from-us/--to-us keep only the samples taken in that window (process.hrtime in µs, the
 * clock of V8's profiles; bench/eld-probe.mjs records it at each snapshot), so start-up and
 * module loading stay out of a profile of steady load.
 * Self time of a node = the sum of the sampling intervals (timeDeltas) whose sample landed
 * in that node; nodes are merged by function name + script + line.
 * A directory argument picks the main thread's profile (thread id 0 in the file name), else
 * the largest one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export function pickProfile(target) {
  if (!statSync(target).isDirectory()) return target;
  const files = readdirSync(target).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${target}`);
  // CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile
  const main = files.filter((f) => f.split('.').at(-3) === '0');
  const pool = main.length ? main : files;
  return path.join(target, pool.sort((a, b) => statSync(path.join(target, b)).size - statSync(path.join(target, a)).size)[0]);
}

function where(url) {
  if (!url) return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = clean.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (clean.startsWith('node:')) return 'node:internal';
  const src = clean.indexOf('/src/');
  if (src !== -1) return clean.slice(src + 1).split('?')[0];
  return path.basename(clean);
}

export function summarize(profilePath, top = 15, { fromUs = -Infinity, toUs = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map();
  // Sample i was taken at startTime + timeDeltas[0..i]; it stands for the interval before the next one.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) continue;
    const id = profile.samples[i];
    const interval = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + interval);
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  const places = new Map();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idleUs += us;
    const place = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : where(callFrame.url);
    const key = `${name}\u0000${callFrame.url}\u0000${callFrame.lineNumber}`;
    const entry = functions.get(key) ?? { function: name, where: where(callFrame.url), line: callFrame.lineNumber + 1, selfMs: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    places.set(place, (places.get(place) ?? 0) + us / 1000);
  }
  const busyMs = (totalUs - idleUs) / 1000;
  // Inclusive ("total") time of the application's own functions (src/ and bench/ files):
  // each sample counts once for every distinct such function on its stack. After an await,
  // a resumed async function is on the stack again, so this is its synchronous work only.
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const { callFrame } = byId.get(at);
      if (!/\/(src|bench)\//.test(callFrame.url)) continue;
      const key = `${callFrame.functionName || '(anonymous)'}\u0000${callFrame.url}\u0000${callFrame.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { function: callFrame.functionName || '(anonymous)', where: where(callFrame.url), line: callFrame.lineNumber + 1, selfMs: 0 };
      entry.selfMs += us / 1000;
      inclusive.set(key, entry);
    }
  }
  const withShare = (entry) => ({
    ...entry,
    selfMs: Math.round(entry.selfMs * 10) / 10,
    pctOfBusy: Math.round((entry.selfMs / busyMs) * 1000) / 10,
  });
  const rank = (list) => list.sort((a, b) => b.selfMs - a.selfMs);
  return {
    file: profilePath,
    window: Number.isFinite(fromUs) || Number.isFinite(toUs) ? { fromUs, toUs } : undefined,
    totalMs: Math.round(totalUs / 1000),
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleUs / 1000),
    topFunctions: rank([...functions.values()].filter((f) => f.function !== '(idle)'))
      .slice(0, top)
      .map(withShare),
    // `selfMs` here holds the inclusive time (named so for the shared formatting).
    appInclusive: rank([...inclusive.values()]).slice(0, top).map(withShare),
    byPlace: rank([...places].filter(([place]) => place !== '(idle)').map(([place, selfMs]) => ({ where: place, selfMs })))
      .slice(0, top)
      .map(withShare),
  };
}

/**
 * Adds `perUnitUs` (self time per request or per sign-in, µs) to every row, given how many
 * units the profiled window served; comparable across processes and runs.
 */
export function perUnit(summary, units, unitName) {
  const us = (ms) => Math.round((ms * 1000 * 10) / units) / 10;
  return {
    ...summary,
    units,
    unitName,
    busyPerUnitUs: us(summary.busyMs),
    topFunctions: summary.topFunctions.map((f) => ({ ...f, perUnitUs: us(f.selfMs) })),
    byPlace: summary.byPlace.map((p) => ({ ...p, perUnitUs: us(p.selfMs) })),
    appInclusive: summary.appInclusive.map((f) => ({ ...f, perUnitUs: us(f.selfMs) })),
  };
}

export function formatSummary(summary) {
  const lines = [];
  const unit = summary.units ? ` — ${summary.units} ${summary.unitName}s served, ${summary.busyPerUnitUs} µs busy per ${summary.unitName}` : '';
  lines.push(`${summary.file}: ${summary.totalMs} ms sampled, ${summary.busyMs} ms busy (not idle)${unit}`);
  const per = (row) => (row.perUnitUs === undefined ? '' : ` ${row.perUnitUs.toFixed(1).padStart(8)} µs/${summary.unitName}`);
  const clip = (text) => (text.length > 70 ? `${text.slice(0, 67)}...` : text);
  lines.push('  top functions by self time (% of busy):');
  for (const f of summary.topFunctions) {
    lines.push(`    ${f.selfMs.toFixed(1).padStart(9)} ms ${f.pctOfBusy.toFixed(1).padStart(5)}%${per(f)}  ${clip(f.function)}  (${f.where}:${f.line})`);
  }
  lines.push('  self time by place:');
  for (const p of summary.byPlace) lines.push(`    ${p.selfMs.toFixed(1).padStart(9)} ms ${p.pctOfBusy.toFixed(1).padStart(5)}%${per(p)}  ${p.where}`);
  if (summary.appInclusive?.length) {
    lines.push('  application functions by inclusive time (synchronous part, callees included):');
    for (const f of summary.appInclusive) {
      lines.push(`    ${f.selfMs.toFixed(1).padStart(9)} ms ${f.pctOfBusy.toFixed(1).padStart(5)}%${per(f)}  ${clip(f.function)}  (${f.where}:${f.line})`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '15' },
      json: { type: 'boolean', default: false },
      'from-us': { type: 'string' },
      'to-us': { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile | dir> [--top 15] [--json]');
    process.exit(2);
  }
  for (const target of positionals) {
    const window = { fromUs: Number(values['from-us'] ?? -Infinity), toUs: Number(values['to-us'] ?? Infinity) };
    const summary = summarize(pickProfile(target), Number(values.top), window);
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  }
}
