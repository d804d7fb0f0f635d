#!/usr/bin/env node
// The seed comparison, for real: every scenario of the seed article (examples/seed) played by
// `rollsafe lab` on this machine and compared with the simulation of the same rollout. Fails
// (exit 1) when measured and simulated disagree on a cause, when a fixed configuration drops a
// request, or when a lab leaves anything behind. Needs root and ip, iptables, conntrack, haproxy.
// Writes the table to stdout and each scenario's JSON to $LAB_SEED_OUT (default a temporary
// directory).
import { execFileSync, spawnSync } from 'node:child_process';
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
  { name: 'cause 3: Local, no in-place rollout, 1.18', text: read('examples/seed/before/local-mode-no-inplace.yaml'), profile: 'ack-flannel', version: '1.18', expect: 'fails' },
  { name: 'cause 3 on 1.30 (terminating fallback)', text: read('examples/seed/before/local-mode-no-inplace.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'agree' },
  { name: 'cause 4: CLB without drain (Cluster)', text: read('examples/seed/before/lb-no-drain.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'agree' },
  { name: 'fix: Cluster mode', text: corrected('examples/seed/after/cluster-mode.yaml'), profile: 'ack-flannel', version: '1.30', expect: 'zero' },
  { name: 'fix: ENI mode (pod backends)', text: corrected('examples/seed/after/eni-mode.yaml'), profile: 'ack-terway', version: '1.30', expect: 'zero' },
];
const only = process.env.LAB_SEED_ONLY;

const started = Date.now();
const rows = [];
let bad = 0;
for (const [i, s] of scenarios.entries()) {
  if (only && !only.split(',').includes(String(i + 1))) continue;
  const file = join(out, `scenario-${i + 1}.yaml`);
  const json = join(out, `scenario-${i + 1}.json`);
  writeFileSync(file, s.text);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/bin.js'), 'lab', '--profile', s.profile, '--k8s-version', s.version, '--format', 'json', '-o', json, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  const seconds = Math.round((Date.now() - t0) / 1000);
  if (r.status !== 0 && r.status !== 1) {
    console.log(`${i + 1}. ${s.name}: the lab failed (exit ${r.status}):\n${r.stderr}`);
    bad++;
    continue;
  }
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const run = result.lab.runs[0];
  const problems = [];
  for (const c of result.comparison) if (!c.agrees) problems.push(`${c.cause}: measured ${c.measured}, simulated ${c.simulated.p5}/${c.simulated.mean}/${c.simulated.p95} (accepted ${c.accepted[0]}–${c.accepted[1]})`);
  if (s.expect === 'zero' && run.failed !== 0) problems.push(`the fixed configuration dropped ${run.failed} requests`);
  if (s.expect === 'fails' && run.failed === 0) problems.push('the "before" configuration dropped nothing');
  if (run.unexplained > 0) problems.push(`${run.unexplained} failures without a cause`);
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`rsl-${r.pid}-`));
  if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
  bad += problems.length > 0 ? 1 : 0;
  rows.push({ i: i + 1, s, result, run, seconds, problems });
  const causes = result.comparison.filter((c) => c.cause !== 'total' && (c.measured > 0 || c.simulated.mean > 0));
  console.log(`${i + 1}. ${s.name} (${s.profile} ${s.version}, ${seconds} s): ${run.requests} requests, ${run.failed} failed${problems.length ? ` — DISAGREES: ${problems.join('; ')}` : ' — agrees'}`);
  for (const c of causes) console.log(`     ${c.cause.padEnd(22)} measured ${String(c.measured).padStart(5)}   simulated p5 ${c.simulated.p5} / mean ${c.simulated.mean} / p95 ${c.simulated.p95}   ${c.agrees ? 'agrees' : 'DISAGREES'}`);
}
console.log(`\nlab:seed: ${rows.length} scenarios in ${Math.round((Date.now() - started) / 1000)} s; ${bad === 0 ? 'all agree' : `${bad} disagree`}; JSON in ${out}`);
process.exitCode = bad === 0 ? 0 : 1;
