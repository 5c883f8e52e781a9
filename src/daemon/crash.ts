/**
 * A trial killed with its daemon (SIGKILL, power loss): on restart its run dir is marked as
 * crashed — `crashed.json`, plus a results.json and summary.txt like any run's, so the UI and
 * `faultline replay` can read it. The history stays as the recorder left it (whole lines; a torn
 * last line is skipped by the reader with a warning), and is checked offline: a violation in the
 * part that was recorded is still a violation; otherwise the verdict is unknown.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeValidity } from '../checkers/result.js';
import { loadClusterDefinition } from '../definition.js';
import { registerCheckPlan } from '../run/checks.js';
import { checkRun, type RunResultsFile } from '../run/runner.js';
import { formatSummary, runFiles } from '../run/summary.js';
import type { SoakConfig } from './config.js';
import type { CurrentTrial } from './state.js';
import { inRun } from '../run-layout.js';

export const CRASH_FILE = 'crashed.json';

export interface CrashMark {
  trial: number;
  seed: number;
  startedAt: string;
  detectedAt: string;
  reason: string;
  /** Pid of the daemon that died. */
  pid: number | null;
}

export function isCrashed(runDir: string): boolean {
  return existsSync(join(runDir, CRASH_FILE));
}

/** Marks a killed trial's run dir and checks what it recorded; returns the verdict written. */
export async function markCrashed(
  config: SoakConfig,
  current: CurrentTrial,
  deadPid: number | null,
): Promise<RunResultsFile | undefined> {
  const runDir = current.runDir;
  if (!existsSync(runDir)) return undefined;
  const mark: CrashMark = {
    trial: current.trial,
    seed: current.seed,
    startedAt: current.startedAt,
    detectedAt: new Date().toISOString(),
    reason: `the daemon (pid ${deadPid ?? '?'}) died during the trial; leftovers were healed and torn down on restart`,
    pid: deadPid,
  };
  writeFileSync(join(runDir, CRASH_FILE), JSON.stringify(mark, null, 2) + '\n');
  if (existsSync(inRun(runDir, 'results'))) {
    // It got as far as writing its verdict; keep that.
    try {
      return JSON.parse(readFileSync(inRun(runDir, 'results'), 'utf8')) as RunResultsFile;
    } catch {
      // torn results.json: rewrite it below from the history
    }
  }

  const def = await loadClusterDefinition(config.clusterFile);
  const plan = registerCheckPlan({
    voters: def.nodes.length,
    ...(config.checkTimeLimitMs ? { timeLimitMs: config.checkTimeLimitMs } : {}),
  });
  const checked = await checkRun(runDir, plan).catch((err: unknown) => ({
    valid: 'unknown' as const,
    checks: {},
    timings: {},
    reason: (err as Error).message,
  }));
  let seed: number | null = current.seed;
  try {
    const s = JSON.parse(readFileSync(inRun(runDir, 'schedule'), 'utf8')) as {
      origin?: { seed?: number };
    };
    seed = s.origin?.seed ?? seed;
  } catch {
    // schedule.json is written before anything runs; if it is missing, keep the trial's seed
  }
  const file: RunResultsFile = {
    // Only a proven violation survives a crash; anything else is undecided.
    valid: checked.valid === false ? false : composeValidity([checked.valid, 'unknown']),
    checks: checked.checks,
    timings: checked.timings,
    run: {
      test: config.name,
      startedAt: current.startedAt,
      endedAt: mark.detectedAt,
      seed,
      path: null,
      command: `faultline daemon --config ${config.configFile}`,
      replay: `faultline replay ${runDir}`,
      cluster: resolve(config.clusterFile),
      database: def.database,
      nodes: def.nodes.map((n) => n.name),
      namespaces: [],
      workload: `etcd-${config.workload}`,
      readConsistency: config.readConsistency,
      clusterUpMs: 0,
      execution: null,
      aborted: true,
      error: `crashed: ${mark.reason}`,
      checkPlan: plan,
    },
  };
  writeFileSync(inRun(runDir, 'results'), JSON.stringify(file, null, 2) + '\n');
  writeFileSync(inRun(runDir, 'summary'), formatSummary(file, runDir, runFiles(runDir)));
  return file;
}
