/**
 * `npm run bench:check`: linearizability checker timings on Porcupine's corpus. Porcupine's own
 * times (v1.3.0, Go; corpus README) are published figures copied into the repo, not a live
 * comparison; the live yardstick, measured in the same run, is a bare read of the same histories:
 * JSON.parse of every op's JSONL line (what any JSONL checker must at least do).
 *
 * Sets: the 103 Jepsen etcd logs (cas-register), the 6 kv files split by key, c01+c10 without
 * splitting; then c50-bad with full=true in a fresh process (time and peak RSS). Parsing is
 * timed separately and excluded from check times. Each set runs once to warm the JIT, then
 * REPEAT times; the median total is reported (the machine is shared and noisy: compare ratios).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkLinearizability,
  type LinearizabilityOptions,
} from '../src/checkers/linearizability/index.js';
import { serializeOp } from '../src/history/jsonl.js';
import { loadHistory } from '../src/history/load.js';
import type { History } from '../src/history/op.js';
import { corpusDir } from '../test/support/corpus.js';

const CORPUS = corpusDir();
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const PORCUPINE_MS = { etcd: 369, kv: 158, unsplit: 3680 };

interface Case {
  file: string;
  ops: History;
  opts: LinearizabilityOptions;
}

/** The same histories as JSONL lines, and the median time to JSON.parse them all (live baseline). */
function bareReadMs(cases: Case[]): number {
  const lines = cases.flatMap((c) => c.ops.map(serializeOp));
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < WARMUP + REPEAT; r++) {
    const t = performance.now();
    for (const l of lines) sink += (JSON.parse(l) as { index: number }).index & 1;
    if (r >= WARMUP) times.push(performance.now() - t);
  }
  return sink < 0 ? 0 : median(times);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function load(
  files: string[],
  opts: Omit<LinearizabilityOptions, 'model'> & { model?: LinearizabilityOptions['model'] },
) {
  const cases: Case[] = [];
  let parseMs = 0;
  for (const file of files) {
    const t = performance.now();
    const h = await loadHistory(join(CORPUS, file));
    parseMs += performance.now() - t;
    const model = opts.model ?? (h.format === 'porcupine-kv' ? 'kv' : 'cas-register');
    cases.push({ file, ops: h.ops, opts: { readNil: h.readNil, ...opts, model } });
  }
  return { cases, parseMs };
}

async function runSet(name: string, cases: Case[], parseMs: number, porcupineMs: number) {
  const runs: { total: number; cpu: number; per: Map<string, number>; verdicts: string[] }[] = [];
  for (let r = 0; r < WARMUP + REPEAT; r++) {
    const per = new Map<string, number>();
    const verdicts: string[] = [];
    let total = 0;
    const cpu0 = process.cpuUsage();
    for (const c of cases) {
      const t = performance.now();
      const res = await checkLinearizability(c.ops, c.opts);
      const ms = performance.now() - t;
      total += ms;
      per.set(c.file, ms);
      verdicts.push(String(res.valid));
    }
    const cpu = process.cpuUsage(cpu0);
    // The first runs warm the JIT.
    if (r >= WARMUP) runs.push({ total, cpu: (cpu.user + cpu.system) / 1000, per, verdicts });
  }
  const totals = runs.map((r) => r.total);
  const med = median(totals);
  const cpuMed = median(runs.map((r) => r.cpu));
  const perFile = cases.map((c) => ({
    file: c.file,
    ms: median(runs.map((r) => r.per.get(c.file)!)),
  }));
  perFile.sort((a, b) => b.ms - a.ms);
  console.log(`\n== ${name}: ${cases.length} files (parse ${parseMs.toFixed(0)} ms, excluded)`);
  const show = process.env.BENCH_ALL ? perFile : perFile.slice(0, 8);
  for (const p of show) console.log(`  ${p.file.padEnd(24)} ${p.ms.toFixed(2).padStart(9)} ms`);
  if (show.length < perFile.length) {
    console.log(
      `  ... ${perFile.length - show.length} more, median file ${median(perFile.map((p) => p.ms)).toFixed(2)} ms`,
    );
  }
  const ratio = porcupineMs / med;
  const bareMs = bareReadMs(cases);
  console.log(
    `  total: faultline ${med.toFixed(1)} ms wall (runs ${totals.map((t) => t.toFixed(0)).join('/')}), ${cpuMed.toFixed(1)} ms CPU; live: ${(med / bareMs).toFixed(1)}x a bare JSON.parse of the same ops (${bareMs.toFixed(1)} ms); published Porcupine figure (not a live comparison) ${porcupineMs} ms -> ${ratio.toFixed(1)}x ${ratio >= 1 ? 'faster' : 'SLOWER'}`,
  );
  const verdicts = runs[0]!.verdicts;
  return { name, medianMs: med, cpuMs: cpuMed, porcupineMs, bareMs, verdicts };
}

/** Child-process mode: c50-bad with full=true, reporting time and peak RSS of this process. */
async function c50Full(): Promise<void> {
  const h = await loadHistory(join(CORPUS, 'kv/c50-bad.txt'));
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await checkLinearizability(h.ops, { model: 'kv', full: true });
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssMiB,
      valid: r.valid,
      partitions: r.partitions.length,
      violations: r.violations.length,
      undecided: r.undecided.length,
      workers: r.workers,
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--c50-full')) return c50Full();
  const etcdFiles = readdirSync(join(CORPUS, 'jepsen'))
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => `jepsen/${f}`);
  const kvFiles = ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad', 'c50-ok', 'c50-bad'].map(
    (f) => `kv/${f}.txt`,
  );
  const unsplitFiles = ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad'].map((f) => `kv/${f}.txt`);

  const etcd = await load(etcdFiles, {});
  const kv = await load(kvFiles, {});
  const unsplit = await load(unsplitFiles, { model: 'kv', split: false });
  const results = [
    await runSet('etcd (cas-register)', etcd.cases, etcd.parseMs, PORCUPINE_MS.etcd),
    await runSet('kv split by key', kv.cases, kv.parseMs, PORCUPINE_MS.kv),
    await runSet('kv c01+c10 unsplit', unsplit.cases, unsplit.parseMs, PORCUPINE_MS.unsplit),
  ];

  console.log(
    '\n== kv/c50-bad.txt, full=true (fresh process; target < 30 s and < 2 GiB, no key unknown)',
  );
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--c50-full'], {
    encoding: 'utf8',
  });
  let full:
    | {
        ms: number;
        cpuMs: number;
        maxRssMiB: number;
        undecided: number;
        violations: number;
        partitions: number;
        workers: number;
      }
    | undefined;
  try {
    full = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
  } catch {
    console.log(`  failed: ${child.stderr}`);
  }
  if (full) {
    console.log(
      `  ${(full.ms / 1000).toFixed(2)} s wall, ${(full.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${full.maxRssMiB.toFixed(0)} MiB, ${full.partitions} keys, ${full.violations} violations explained, ${full.undecided} undecided, workers ${full.workers}`,
    );
  }

  const loadAvg = loadavg()[0]!.toFixed(1);
  console.log(
    `\n== summary (median totals, check time only; load average ${loadAvg} on ${availableParallelism()} cores)`,
  );
  console.log(
    '  set                    faultline wall   faultline CPU   live: x bare read   Porcupine (published figure, not live)',
  );
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(22)} ${r.medianMs.toFixed(1).padStart(11)} ms ${r.cpuMs.toFixed(1).padStart(12)} ms ${(r.medianMs / r.bareMs).toFixed(1).padStart(14)}x ${String(r.porcupineMs).padStart(12)} ms`,
    );
  }
  if (full) {
    console.log(
      `  c50-bad full           ${(full.ms / 1000).toFixed(2).padStart(11)} s  ${(full.cpuMs / 1000).toFixed(2).padStart(12)} s   (published Porcupine verbose figure: >10 min, >9 GB); peak RSS ${full.maxRssMiB.toFixed(0)} MiB`,
    );
  }
}

await main();
