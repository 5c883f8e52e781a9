/**
 * `npm run bench:scale`: checking at scale. Generates seeded kv histories (kv-history.ts:
 * linearizable by construction; a variant with ~1 % indeterminate writes; one with a planted
 * stale read that must be found) in our JSONL, Jepsen-style EDN and Porcupine's kv log format,
 * and prints for each:
 * - end to end: `faultline check` as a child process, wall time and peak RSS, as a ratio to a
 *   bare Node loop (bare-read.ts) that reads the same JSONL file in chunks and JSON.parses every
 *   line, measured in the same run;
 * - phases: parse (loadHistory) and check (checkLinearizability) in a fresh process.
 *
 * Targets (1M ops x 1000 keys): JSONL end to end <= 2x the bare loop; EDN <= 2x our JSONL;
 * peak RSS < 1 GiB; check phase <= 3.1 s (2x faster than Porcupine's 6.2-7.9 s on this machine
 * kind). "ops" are client operations: each is an invoke plus (unless pending) a completion line.
 *
 * Env: BENCH_ONLY=<regex> picks cases by name (e.g. '100k' or '1M x 1000 info'),
 * BENCH_FORMATS=jsonl,edn,porcupine-kv, BENCH_DIR=<dir> keeps the generated files there (and
 * reuses them on the next run).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeSync,
  openSync,
  closeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizability } from '../src/checkers/linearizability/index.js';
import { opToEdn } from '../src/history/exporters/edn.js';
import { serializeOp } from '../src/history/jsonl.js';
import { loadHistory } from '../src/history/load.js';
import type { HistoryFormat } from '../src/history/detect.js';
import { generateKvHistory, porcupineKvLine, type KvHistoryOptions } from './kv-history.js';

type Variant = 'ok' | 'info' | 'bad';
type Format = 'jsonl' | 'edn' | 'porcupine-kv';

interface Case {
  name: string;
  ops: number;
  keys: number;
  variant: Variant;
}

const CASES: Case[] = [];
for (const [ops, label] of [
  [100_000, '100k'],
  [1_000_000, '1M'],
] as const)
  for (const variant of ['ok', 'info', 'bad'] as const)
    CASES.push({ name: `${label} x 1000 ${variant}`, ops, keys: 1000, variant });
for (const keys of [100, 10_000])
  CASES.push({ name: `1M x ${keys} info`, ops: 1_000_000, keys, variant: 'info' });

const EXT: Record<Format, string> = { jsonl: 'jsonl', edn: 'edn', 'porcupine-kv': 'kv.txt' };
const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '..', 'dist', 'cli.js');
const BARE = join(here, 'bare-read.mjs');

function genOptions(c: Case): KvHistoryOptions {
  return {
    ops: c.ops,
    keys: c.keys,
    workers: 10,
    seed: 15,
    infoRate: c.variant === 'ok' ? 0 : 0.01,
    plantViolation: c.variant === 'bad',
  };
}

/** Writes the case's history in every format at once; returns the planted violation's index. */
function generate(c: Case, base: string, formats: readonly Format[]): number {
  const fds = new Map<Format, number>();
  const bufs = new Map<Format, string[]>();
  for (const f of formats) {
    fds.set(f, openSync(`${base}.${EXT[f]}`, 'w'));
    bufs.set(f, []);
  }
  const flush = (f: Format, force: boolean) => {
    const b = bufs.get(f)!;
    if (b.length >= 4096 || (force && b.length > 0)) {
      writeSync(fds.get(f)!, b.join(''));
      b.length = 0;
    }
  };
  const stats = generateKvHistory(genOptions(c), (op) => {
    for (const f of formats) {
      const line =
        f === 'jsonl' ? serializeOp(op) : f === 'edn' ? opToEdn(op) : porcupineKvLine(op);
      if (line === undefined) continue;
      bufs.get(f)!.push(line + '\n');
      flush(f, false);
    }
  });
  for (const f of formats) {
    flush(f, true);
    closeSync(fds.get(f)!);
  }
  return stats.plantedAt;
}

interface Timed {
  wallS: number;
  rssMiB: number;
  cpuS: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command under GNU time: wall seconds and peak RSS of the child. */
function timed(args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %M %U %S', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /@@time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no timing from ${args.join(' ')}: ${r.stderr.slice(-500)}`);
  return {
    wallS: Number(m[1]),
    rssMiB: Number(m[2]) / 1024,
    cpuS: Number(m[3]) + Number(m[4]),
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr.slice(0, m.index),
  };
}

interface Phases {
  parseS: number;
  checkS: number;
  parseCpuS: number;
  checkCpuS: number;
  rssMiB: number;
  valid: unknown;
  partitions: number;
  workers: number;
}

/** Child mode: load and check one file in this (fresh) process, printing the phases as JSON. */
async function phases(file: string, format: HistoryFormat): Promise<void> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const h = await loadHistory(file, { format });
  const t1 = performance.now();
  const c1 = cpu();
  const r = await checkLinearizability(h.ops, { model: 'kv', readNil: h.readNil });
  const t2 = performance.now();
  const c2 = cpu();
  const out: Phases = {
    parseS: (t1 - t0) / 1000,
    checkS: (t2 - t1) / 1000,
    parseCpuS: c1 - c0,
    checkCpuS: c2 - c1,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    valid: r.valid,
    partitions: r.partitions.length,
    workers: r.workers,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

const f2 = (n: number) => n.toFixed(2);
const x = (n: number) => `${n.toFixed(2)}x`;

async function main(): Promise<void> {
  const i = process.argv.indexOf('--phases');
  if (i >= 0) return phases(process.argv[i + 1]!, process.argv[i + 2] as HistoryFormat);

  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  const formats = (process.env.BENCH_FORMATS ?? 'jsonl,edn,porcupine-kv').split(',') as Format[];
  if (!formats.includes('jsonl')) formats.unshift('jsonl'); // the baseline reads the JSONL file
  const keep = process.env.BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), `faultline-scale-${process.pid}-`));
  mkdirSync(dir, { recursive: true });
  console.log(
    `bench:scale: load average ${loadavg()[0]!.toFixed(1)}; files in ${dir}; ratios are to the bare JSONL read loop of the same case, same run`,
  );
  const summary: string[] = [];
  try {
    for (const c of CASES) {
      if (only && !only.test(c.name)) continue;
      const base = join(dir, c.name.replace(/ /g, ''));
      const tg = performance.now();
      let planted = -2;
      if (!formats.every((f) => existsSync(`${base}.${EXT[f]}`)))
        planted = generate(c, base, formats);
      const genS = (performance.now() - tg) / 1000;
      const jsonl = `${base}.jsonl`;
      console.log(
        `\n== ${c.name}: ${c.ops} ops, ${c.keys} keys, JSONL ${(statSync(jsonl).size / 2 ** 20).toFixed(0)} MiB${planted === -2 ? ' (reused)' : `, generated in ${f2(genS)} s${planted >= 0 ? `, planted stale read at event ${planted}` : ''}`}`,
      );
      const bare = timed([BARE, jsonl]);
      console.log(
        `  bare JSONL read loop          ${f2(bare.wallS)} s (CPU ${f2(bare.cpuS)} s)  ${bare.rssMiB.toFixed(0)} MiB`,
      );
      let jsonlWall = 0;
      let jsonlCpu = 0;
      for (const f of formats) {
        const file = `${base}.${EXT[f]}`;
        const e2e = timed([CLI, 'check', file, '--format', f, '--model', 'kv']);
        const expected = c.variant === 'bad' ? 1 : 0;
        const verdict =
          e2e.status === expected
            ? c.variant === 'bad'
              ? 'violation found'
              : 'linearizable'
            : `WRONG: exit ${e2e.status} ${e2e.stderr.split('\n')[0] ?? ''}`;
        if (f === 'jsonl') {
          jsonlWall = e2e.wallS;
          jsonlCpu = e2e.cpuS;
        }
        const ph = timed(['--import', 'tsx', fileURLToPath(import.meta.url), '--phases', file, f]);
        let p: Phases | undefined;
        try {
          p = JSON.parse(ph.stdout) as Phases;
        } catch {
          console.log(`  phases failed: ${ph.stderr.slice(0, 300)}`);
        }
        const vsJsonl =
          f === 'jsonl'
            ? ''
            : `, ${x(e2e.wallS / jsonlWall)} our JSONL (CPU ${x(e2e.cpuS / jsonlCpu)})`;
        const line = `  ${f.padEnd(13)} end to end ${f2(e2e.wallS).padStart(6)} s = ${x(e2e.wallS / bare.wallS).padStart(6)} bare (CPU ${f2(e2e.cpuS)} s = ${x(e2e.cpuS / bare.cpuS)})${vsJsonl}; peak RSS ${e2e.rssMiB.toFixed(0)} MiB; parse ${p ? f2(p.parseS) : '?'} s (CPU ${p ? f2(p.parseCpuS) : '?'}), check ${p ? f2(p.checkS) : '?'} s (CPU ${p ? f2(p.checkCpuS) : '?'}) (phases peak RSS ${p ? p.rssMiB.toFixed(0) : '?'} MiB, workers ${p?.workers ?? '?'}); ${verdict}`;
        console.log(line);
        summary.push(`${c.name.padEnd(18)} ${line.trim()}`);
      }
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n== summary (load average ${loadavg()[0]!.toFixed(1)})`);
  for (const s of summary) console.log(s);
}

await main();
