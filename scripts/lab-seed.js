#!/usr/bin/env node
// The seed comparison, for real: every scenario of the seed article (examples/seed) played by
// `rollsafe lab` on this machine and compared with the simulation of the same rollout. Fails
// (exit 1) when measured and simulated disagree on a cause, when a fixed configuration drops a
// request, or when a lab leaves anything behind. A scenario whose only problem is a disagreement
// is played once more, and fails when that run disagrees too: the accepted range is about the
// simulation's p5–p95 of one rollout, which one real rollout falls outside now and then by its
// nature (cause 2 once measured 50 against an accepted 54–92), while a wrong model misses every
// time. Needs root and ip, iptables, conntrack, haproxy.
// Writes the table to stdout and each scenario's JSON to $LAB_SEED_OUT (default a temporary
// directory).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = process.env.LAB_SEED_OUT ?? mkdtempSync(join(tmpdir(), 'lab-seed-'));
mkdirSync(out, { recursive: true });
const read = (path) => readFileSync(join(root, path), 'utf8');
// The article's "after" configs with its two mistakes corrected (probes on 5084 while nginx
// serves 80; `- 30` as a number, which the API server rejects), as test/sim/seed.test.ts does.
const corrected = (path) => read(path).replaceAll('port: 5084', 'port: 80').replace(/^(\s*)- 30$/m, '$1- "30"');

/** name, manifest text, profile, Kubernetes version, what must hold beyond the agreement. */
const scenarios = [
  { name: 'cause 1: no readinessProbe', text: read('examples/seed/before/new-pod-no-readiness.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'fails' },
  { name: 'cause 1 fixed', text: read('test/fixtures/fix/golden/new-pod-no-readiness.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'zero' },
  { name: 'cause 2: no preStop', text: read('examples/seed/before/old-pod-no-prestop.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'fails' },
  { name: 'cause 2 fixed', text: read('test/fixtures/fix/golden/old-pod-no-prestop.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'zero' },
  { name: 'cause 3: Local, no in-place rollout, 1.18', text: read('examples/seed/before/local-mode-no-inplace.yaml'), profile: 'ack-flannel', version: '1.18', expect: 'local' },
  { name: 'cause 3 on 1.30 (terminating fallback)', text: read('examples/seed/before/local-mode-no-inplace.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'agree' },
  { name: 'cause 4: CLB without drain (Cluster)', text: read('examples/seed/before/lb-no-drain.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'agree' },
  { name: 'fix: Cluster mode', text: corrected('examples/seed/after/cluster-mode.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'zero' },
  { name: 'fix: ENI mode (pod backends)', text: corrected('examples/seed/after/eni-mode.yaml'), profile: 'ack-terway', version: '1.30', expect: 'zero' },
];
const only = process.env.LAB_SEED_ONLY;
// Two labs at a time (each is its own namespaces and processes; the measurements are in seconds):
// the whole comparison in about 10 minutes instead of 20.
const jobs = Math.max(1, Number(process.env.LAB_SEED_JOBS ?? 2));

/**
 * Local before 1.26: every no-local-endpoint failure falls while some node's kube-proxy had no
 * ready local endpoint and the LB still sent to it (from the node's "0 ready local endpoints"
 * until it has one again); returns the failures outside such a window.
 */
function outsideLocalGaps(run) {
  const gaps = [];
  const open = new Map();
  for (const e of run.timeline.events) {
    const m = /^kube-proxy on (node-\d+): (\d+) ready local endpoint/.exec(e.what);
    if (!m) continue;
    if (m[2] === '0') open.set(m[1], e.time);
    else if (open.has(m[1])) {
      gaps.push([open.get(m[1]), e.time]);
      open.delete(m[1]);
    }
  }
  for (const start of open.values()) gaps.push([start, Infinity]);
  return run.failures.filter((f) => f.cause === 'no-local-endpoint' && !gaps.some(([a, b]) => f.time >= a - 0.05 && f.time <= b + 0.05));
}

function play(i, s, suffix = '') {
  const file = join(out, `scenario-${i + 1}.yaml`);
  const json = join(out, `scenario-${i + 1}${suffix}.json`);
  writeFileSync(file, s.text);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli/bin.js'), 'lab', '--profile', s.profile, '--k8s-version', s.version, '--format', 'json', '-o', json, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ i, s, code, stderr, json, pid: child.pid, seconds: Math.round((Date.now() - t0) / 1000) });
    });
  });
}

function judge({ i, s, code, stderr, json, pid, seconds }) {
  if (code !== 0 && code !== 1) return { i, s, seconds, problems: [`the lab failed (exit ${code}): ${stderr.trim()}`] };
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const run = result.lab.runs[0];
  const problems = [];
  for (const c of result.comparison) if (!c.agrees) problems.push(`${c.cause}: measured ${c.measured}, simulated ${c.simulated.p5}/${c.simulated.mean}/${c.simulated.p95} (accepted ${c.accepted[0]}–${c.accepted[1]})`);
  const disagreements = problems.length;
  if (s.expect === 'zero' && run.failed !== 0) problems.push(`the fixed configuration dropped ${run.failed} requests`);
  if ((s.expect === 'fails' || s.expect === 'local') && run.failed === 0) problems.push('the "before" configuration dropped nothing');
  if (s.expect === 'local') {
    const outside = outsideLocalGaps(run);
    if (outside.length > 0) problems.push(`${outside.length} no-local-endpoint failures while every node had a ready local endpoint (first at ${outside[0].time} s)`);
  }
  if (run.unexplained > 0) problems.push(`${run.unexplained} failures without a cause`);
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`rsl-${pid}-`));
  if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
  return { i, s, seconds, result, run, problems, disagreesOnly: disagreements > 0 && problems.length === disagreements };
}

const started = Date.now();
const queue = scenarios.map((s, i) => ({ s, i })).filter(({ i }) => !only || only.split(',').includes(String(i + 1)));
// Longest first (pod backends register and drain slowly), so that the pairs finish together.
queue.sort((a, b) => (b.s.profile === 'ack-terway') - (a.s.profile === 'ack-terway'));
const rows = [];
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const row = judge(await play(next.i, next.s));
      rows.push(row);
      console.log(`${row.i + 1}. ${row.s.name}: ${row.problems.length ? 'DISAGREES' : 'agrees'} (${row.seconds} s)`);
    }
  }),
);
// A disagreement alone gets a second run, one lab at a time (see the top of this file).
for (const [k, row] of rows.entries()) {
  if (!row.disagreesOnly) continue;
  const again = judge(await play(row.i, row.s, '-again'));
  console.log(`${row.i + 1}. ${row.s.name}, played again: ${again.problems.length ? 'DISAGREES' : 'agrees'} (${again.seconds} s)`);
  rows[k] = { ...again, first: row.problems };
}
rows.sort((a, b) => a.i - b.i);
console.log('\n| scenario | profile, version | requests | failed | cause | measured | simulated p5 / mean / p95 | verdict |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  if (!row.run) {
    console.log(`| ${row.i + 1}. ${row.s.name} | ${row.s.profile} ${row.s.version} | | | | | | ${row.problems.join('; ')} |`);
    continue;
  }
  const causes = row.result.comparison.filter((c) => c.cause !== 'total' && (c.measured > 0 || c.simulated.mean > 0));
  const lines = causes.length ? causes : row.result.comparison.filter((c) => c.cause === 'total');
  for (const [k, c] of lines.entries()) {
    const head = k === 0 ? `| ${row.i + 1}. ${row.s.name} | ${row.s.profile} ${row.s.version} | ${row.run.requests} | ${row.run.failed} |` : '| | | | |';
    console.log(`${head} ${c.cause} | ${c.measured} | ${c.simulated.p5} / ${c.simulated.mean} / ${c.simulated.p95} | ${c.agrees ? 'agrees' : 'DISAGREES'} |`);
  }
  for (const p of row.problems) console.log(`|   | | | | | | | ${p} |`);
  if (row.first) console.log(`|   | | | | | | | the first run disagreed (${row.first.join('; ')}); this is the second |`);
}
const bad = rows.filter((r) => r.problems.length > 0).length;
console.log(`\nlab:seed: ${rows.length} scenarios in ${Math.round((Date.now() - started) / 1000)} s (${jobs} at a time); ${bad === 0 ? 'all agree' : `${bad} disagree`}; JSON in ${out}`);
process.exitCode = bad === 0 ? 0 : 1;
