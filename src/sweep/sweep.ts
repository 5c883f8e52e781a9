/**
 * `faultline sweep`: one trial per load level (a fresh cluster each, so one level's leftovers
 * never slow the next), then DIR/sweep.json (per level ok/s, p50/p95/p99/max, error and info
 * rates, verdict, faults) and DIR/sweep.html with the degradation curve and the knee.
 * sweep.json is rewritten after every level, so an interrupted sweep keeps what it measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRunSamples } from '../compare/load.js';
import type { ScheduleParams } from '../generators/params.js';
import { silentLogger, type Logger } from '../log.js';
import { loadUplot } from '../report/render.js';
import { runTrial, type RunOptions } from '../run/runner.js';
import { findKnee, levelStats, type Knee, type SweepLevel } from './levels.js';
import { sweepPage } from './page.js';

export interface SweepOptions {
  clusterFile: string;
  workload: RunOptions['workload'];
  readConsistency: RunOptions['readConsistency'];
  /** Levels: one trial per concurrency, or per open-loop rate at a single concurrency. */
  concurrency: number[];
  rates: number[] | null;
  params: ScheduleParams;
  /** As given (`none`, `partition,kill`), for the page. */
  nemesis: string;
  faultTargets?: string[];
  opTimeoutMs: number;
  out: string;
  slos?: string[];
  signal?: AbortSignal;
  logger?: Logger;
  command: string;
}

export interface SweepFile {
  version: 1;
  cluster: string;
  workload: string;
  nemesis: string;
  sweeping: 'concurrency' | 'rate';
  timeLimitS: number;
  command: string;
  levels: SweepLevel[];
  knee: Knee | null;
  /** Set when the sweep stopped early (interrupted or a level failed to run). */
  stopped?: string;
}

export interface SweepOutcome {
  file: SweepFile;
  dir: string;
}

interface Level {
  concurrency: number;
  rate: number | null;
}

export function sweepLevels(concurrency: number[], rates: number[] | null): Level[] {
  if (rates && rates.length > 1) {
    if (concurrency.length !== 1)
      throw new Error('sweep either concurrency or rate: with several rates give one concurrency');
    return rates.map((rate) => ({ concurrency: concurrency[0]!, rate }));
  }
  const rate = rates?.[0] ?? null;
  return concurrency.map((c) => ({ concurrency: c, rate }));
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const log = o.logger ?? silentLogger;
  const dir = resolve(o.out);
  mkdirSync(dir, { recursive: true });
  const levels = sweepLevels(o.concurrency, o.rates);
  const sweeping = o.rates && o.rates.length > 1 ? 'rate' : 'concurrency';
  const x = (l: SweepLevel) => (sweeping === 'rate' ? (l.rate ?? 0) : l.concurrency);
  const file: SweepFile = {
    version: 1,
    cluster: o.clusterFile,
    workload: o.workload,
    nemesis: o.nemesis,
    sweeping,
    timeLimitS: o.params.durationMs / 1000,
    command: o.command,
    levels: [],
    knee: null,
  };
  const save = () => {
    file.knee = findKnee(file.levels, x);
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify(file, null, 2) + '\n');
  };
  for (const [i, level] of levels.entries()) {
    if (o.signal?.aborted) {
      file.stopped = 'interrupted';
      break;
    }
    const name = `level-${i + 1}-c${level.concurrency}${level.rate !== null ? `-r${level.rate}` : ''}`;
    log.info(
      { level: name },
      `sweep level ${i + 1}/${levels.length}: ${level.concurrency} workers${level.rate !== null ? `, ${level.rate} ops/s open loop` : ''}`,
    );
    const outcome = await runTrial({
      clusterFile: o.clusterFile,
      workload: o.workload,
      readConsistency: o.readConsistency,
      params: { ...o.params, concurrency: level.concurrency },
      ...(level.rate !== null ? { openLoopRate: level.rate } : {}),
      ...(o.faultTargets ? { faultTargets: o.faultTargets } : {}),
      ...(o.slos?.length ? { slos: o.slos } : {}),
      resultsRoot: dir,
      runDir: join(dir, name),
      test: name,
      opTimeoutMs: o.opTimeoutMs,
      command: `${o.command} (level ${i + 1}: ${name})`,
      report: false,
      updateLatest: false,
      logger: log,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const runMs = outcome.results.run.execution?.runMs ?? o.params.durationMs;
    try {
      const samples = await loadRunSamples(outcome.runDir);
      file.levels.push(
        levelStats(samples, { ...level, runDir: outcome.runDir, valid: outcome.valid }, runMs),
      );
    } catch (err) {
      file.stopped = `level ${name} recorded no history: ${(err as Error).message}`;
      save();
      break;
    }
    save();
  }
  save();
  writeFileSync(join(dir, 'sweep.html'), sweepPage(file, await loadUplot()));
  return { file, dir };
}

/** Lines for the terminal: one per level, then the knee. */
export function formatSweep(f: SweepFile, dir: string): string {
  const ms = (ns: number) => `${(ns / 1e6).toFixed(2)}`.padStart(9);
  const out = [
    `sweep of ${f.workload} on ${f.cluster} (${f.sweeping}), ${f.timeLimitS} s per level`,
    `${'workers'.padStart(8)}${'rate'.padStart(8)}${'ok/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'errors'.padStart(9)}${'info'.padStart(9)}  verdict`,
    ...f.levels.map(
      (l) =>
        `${String(l.concurrency).padStart(8)}${String(l.rate ?? '-').padStart(8)}${l.okPerSec.toFixed(1).padStart(10)}${ms(l.p50)}${ms(l.p95)}${ms(l.p99)}${ms(l.max)}${`${(l.errorRate * 100).toFixed(1)}%`.padStart(9)}${`${(l.infoRate * 100).toFixed(1)}%`.padStart(9)}  ${String(l.valid)}`,
    ),
    f.knee?.message ?? 'no knee: latency never grew faster than throughput',
    ...(f.stopped ? [`stopped early: ${f.stopped}`] : []),
    `${join(dir, 'sweep.json')}`,
    `${join(dir, 'sweep.html')}`,
  ];
  return out.join('\n') + '\n';
}
