/**
 * `faultline run`: the main job — a real cluster, generated concurrent ops and faults, a recorded
 * history, a verdict. SIGINT/SIGTERM abort the trial cleanly (heal, tear down, write what was
 * recorded); a second signal runs the shutdown hooks and exits at once.
 */
import type { Command } from 'commander';
import { runShutdownHooks } from '../cluster/cleanup.js';
import { exitCodeFor } from '../checkers/result.js';
import { createLogger, type Logger } from '../log.js';
import { runTrial, type RunOutcome } from '../run/runner.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../run/workloads.js';
import { ISOLATIONS, type Isolation } from '../clients/pg-vote.js';
import { loadSchedule } from '../generators/schedule.js';
import { INPUT_ERROR_EXIT, INTERNAL_ERROR_EXIT, UsageError } from '../errors.js';
import { MODELS, canonicalModel } from '../checkers/txn/models.js';
import { DEFAULT_SCHEDULE_PARAMS } from '../generators/params.js';
import { parseSlos, SloSyntaxError } from '../checkers/slo/index.js';
import { historyFileOf } from '../compare/load.js';
import { parseTolerance } from './compare.js';
import {
  addScheduleOptions,
  scheduleParamsFromOptions,
  type ScheduleCliOptions,
} from './schedule.js';
import { examples } from './help.js';

interface RunCliOptions extends ScheduleCliOptions {
  cluster: string;
  workload: string;
  seed?: string;
  path?: string;
  readConsistency: string;
  opTimeout: string;
  checkTimeLimit?: string;
  results: string;
  test?: string;
  json?: boolean;
  isolation: string;
  consistencyModel?: string;
  healUntilTeardown: boolean;
  faultTargets?: string;
  schedule?: string;
  slo: string[];
  openLoop?: boolean;
  baseline?: string;
  tolerance: string;
}

const WORKLOADS: readonly WorkloadName[] = WORKLOAD_NAMES;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Every --slo parsed before anything starts: a malformed one is a usage error naming it. */
export function sloOptions(texts: readonly string[]): string[] {
  try {
    return parseSlos(texts).map((s) => s.text);
  } catch (err) {
    if (err instanceof SloSyntaxError) throw new UsageError(`--slo: ${err.message}`);
    throw err;
  }
}

/** --open-loop: --rate is the total (default: the closed loop's 10 ops/s per worker). */
function openLoopRateOf(o: RunCliOptions): number {
  const concurrency =
    o.concurrency === undefined ? DEFAULT_SCHEDULE_PARAMS.concurrency : Number(o.concurrency);
  const rate = o.rate === undefined ? 10 * concurrency : Number(o.rate);
  if (!Number.isFinite(rate) || rate <= 0)
    throw new UsageError(`--rate: expected ops/s > 0, got '${o.rate}'`);
  return rate;
}

/** `read-committed` (or `read committed`) -> `read committed`. */
export function parseIsolation(text: string): Isolation {
  const level = text
    .trim()
    .toLowerCase()
    .replace(/[-_ ]+/g, ' ');
  if (!(ISOLATIONS as readonly string[]).includes(level)) {
    throw new UsageError(
      `--isolation: expected ${ISOLATIONS.map((i) => i.replace(/ /g, '-')).join(', ')}, got '${text}'`,
    );
  }
  return level as Isolation;
}

/**
 * The exit code of a trial: 130 when interrupted; a cluster that never came up ran nothing, so
 * no verdict but whose fault it was (65: the definition's start command; 70: ours); else the
 * verdict's.
 */
export function trialExitCode(outcome: RunOutcome, aborted: boolean): number {
  if (aborted) return 130;
  if (outcome.startFailure === 'definition') return INPUT_ERROR_EXIT;
  if (outcome.startFailure === 'internal') return INTERNAL_ERROR_EXIT;
  return exitCodeFor(outcome.valid);
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed: expected an integer, got '${text}'`);
  return n;
}

function positiveSeconds(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name}: expected seconds > 0, got '${text}'`);
  return Math.round(n * 1000);
}

/**
 * Aborts `controller` on the first SIGINT/SIGTERM (the trial heals and tears down itself); on a
 * second, runs every shutdown hook (heal, teardown) and exits.
 */
export function abortOnSignals(controller: AbortController, log: Logger): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      log.warn(
        { signal: sig },
        'stopping: healing faults and tearing down (signal again to force)',
      );
      controller.abort(new Error(`interrupted by ${sig}`));
      return;
    }
    void runShutdownHooks(log).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export function registerRunCommands(program: Command): void {
  addScheduleOptions(
    program
      .command('run')
      .addHelpText(
        'after',
        examples([
          [
            "the README's main job: 20 s on 5 etcd nodes, a bridge partition then the leader killed",
            'run --cluster clusters/etcd-5.json --time-limit 20 --concurrency 10 --nemesis partition,kill,pause --seed 8',
          ],
          [
            'serializable reads under partitions (finds stale reads)',
            'run --cluster clusters/etcd-3.json --read-consistency serializable --nemesis partition --seed 7',
          ],
          [
            'double votes on PostgreSQL under read committed, no faults',
            'run --cluster clusters/postgres.json --workload vote --isolation read-committed --time-limit 10 --concurrency 6 --nemesis none',
          ],
          [
            'quorum loss that is never healed',
            'run --cluster clusters/etcd-5.json --nemesis kill --fault-targets n1,n2,n3 --no-heal-until-teardown',
          ],
        ]),
      )
      .description(
        'start a real cluster, run generated ops under faults, record and check the history',
      )
      .requiredOption(
        '--cluster <file>',
        'cluster definition, e.g. clusters/etcd-5.json (required)',
      )
      .option('--workload <name>', `workload: ${WORKLOADS.join(', ')}`, 'register')
      .option('--seed <n>', 'fast-check seed of the schedule (default: random, recorded)')
      .option('--path <p>', 'fast-check path of a shrunk schedule, with its --seed (default: none)')
      .option('--read-consistency <c>', 'linearizable or serializable', 'linearizable')
      .option(
        '--isolation <level>',
        'vote and list-append workloads: read-committed, repeatable-read or serializable',
        'read-committed',
      )
      .option(
        '--consistency-model <name>',
        'list-append: Elle model to check against (default: what --isolation promises: read-committed, snapshot-isolation, serializable)',
      )
      .option(
        '--schedule <file>',
        'run this schedule.json (e.g. hand-written) instead of generating one (default: generate)',
      )
      .option(
        '--fault-targets <nodes>',
        'point every fault at these nodes, comma-separated, e.g. n1,n2,n3 (default: the targets the schedule picks)',
      )
      .option(
        '--no-heal-until-teardown',
        'never heal: faults stay in force until the final teardown ends them (journaled)',
      )
      .option('--op-timeout <ms>', 'per-op client timeout; past it the op is info', '1000')
      .option('--check-time-limit <s>', 'budget for the linearizability search (default: none)')
      .option('--results <dir>', 'results root', 'results')
      .option(
        '--test <name>',
        'test name, results/<test>/... (default: <cluster>-<workload>, e.g. etcd-5-register)',
      )
      .option('--json', 'print results.json instead of the summary')
      .option(
        '--slo <expr>',
        "an SLO the run must meet, repeatable: 'p95 < 500ms', 'success >= 0.99', 'p99 < 2s during faults', 'max-gap < 3s', 'recovery < 10s after heal'",
        collect,
        [],
      )
      .option(
        '--baseline <run>',
        'compare with this run at the end: a regression makes the run INVALID (default: none)',
      )
      .option('--tolerance <t>', 'with --baseline: allowed change, e.g. 10% or 0.1', '10%')
      .option(
        '--open-loop',
        'open loop: --rate is ops/s in total, on a fixed timetable spread over the workers; latency from each intended start',
      ),
  ).action(async (o: RunCliOptions, cmd: Command) => {
    if (!WORKLOADS.includes(o.workload as WorkloadName)) {
      throw new UsageError(
        `--workload: unknown workload '${o.workload}' (known: ${WORKLOADS.join(', ')})`,
      );
    }
    const isolation = parseIsolation(o.isolation);
    if (o.consistencyModel !== undefined && canonicalModel(o.consistencyModel) === undefined)
      throw new UsageError(
        `--consistency-model: unknown model '${o.consistencyModel}' (${MODELS.join(', ')})`,
      );
    const slos = sloOptions(o.slo);
    const openLoopRate = o.openLoop ? openLoopRateOf(o) : undefined;
    // A missing baseline is an input error now, not after the run.
    if (o.baseline) historyFileOf(o.baseline);
    const baseline = o.baseline
      ? { run: o.baseline, tolerance: parseTolerance(o.tolerance) }
      : undefined;
    const faultTargets = o.faultTargets
      ?.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (faultTargets && faultTargets.length === 0)
      throw new UsageError('--fault-targets: name at least one node');
    const schedule = o.schedule ? await loadSchedule(o.schedule) : undefined;
    if (o.readConsistency !== 'linearizable' && o.readConsistency !== 'serializable') {
      throw new UsageError(
        `--read-consistency: expected linearizable or serializable, got '${o.readConsistency}'`,
      );
    }
    const params = scheduleParamsFromOptions(o);
    const opTimeoutMs = Number(o.opTimeout);
    if (!Number.isInteger(opTimeoutMs) || opTimeoutMs <= 0) {
      throw new UsageError(`--op-timeout: expected milliseconds > 0, got '${o.opTimeout}'`);
    }
    const globals = cmd.optsWithGlobals<{ quiet?: boolean; logFile?: string }>();
    const log = createLogger({
      quiet: globals.quiet,
      ...(globals.logFile ? { file: globals.logFile } : {}),
    });
    const controller = new AbortController();
    const release = abortOnSignals(controller, log);
    try {
      const seed = parseSeed(o.seed);
      const outcome = await runTrial({
        clusterFile: o.cluster,
        workload: o.workload as WorkloadName,
        readConsistency: o.readConsistency,
        isolation,
        ...(o.consistencyModel ? { consistencyModel: o.consistencyModel } : {}),
        ...(o.healUntilTeardown === false ? { healAtEnd: false } : {}),
        ...(faultTargets ? { faultTargets } : {}),
        ...(schedule ? { schedule } : {}),
        params,
        ...(seed !== undefined ? { seed } : {}),
        ...(o.path ? { path: o.path } : {}),
        resultsRoot: o.results,
        ...(o.test ? { test: o.test } : {}),
        opTimeoutMs,
        ...(slos.length ? { slos } : {}),
        ...(baseline ? { baseline } : {}),
        ...(openLoopRate !== undefined ? { openLoopRate } : {}),
        ...(o.checkTimeLimit
          ? { checkTimeLimitMs: positiveSeconds('check-time-limit', o.checkTimeLimit) }
          : {}),
        command: ['faultline', ...process.argv.slice(2)].join(' '),
        signal: controller.signal,
        logger: log,
        progress: !globals.quiet && !o.json,
      });
      process.stdout.write(
        o.json ? JSON.stringify(outcome.results, null, 2) + '\n' : outcome.summary,
      );
      process.exitCode = trialExitCode(outcome, controller.signal.aborted);
    } finally {
      release();
    }
  });
}
