/**
 * `faultline run`: one trial end to end.
 *
 *   recover leftovers -> cluster up (link proxies first when link faults are asked for)
 *   -> executor (workers + nemesis, recorded) -> heal, recover, final reads
 *   -> replica observations -> tear down -> check -> results.json, summary.txt, report.html
 *
 * Everything the trial starts is stopped and every fault healed on every path out of here:
 * normal end, an error, or an abort (the caller's AbortSignal, wired to SIGINT/SIGTERM by the
 * CLI). The schedule is written before anything runs, so even a crashed trial can be replayed.
 */
import { copyFileSync, existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReadConsistency } from '../clients/etcd.js';
import type { Isolation } from '../clients/pg-vote.js';
import type { ComposedResult } from '../checkers/compose.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import { composeValidity, type Validity } from '../checkers/result.js';
import { Cluster, MemberExitedError } from '../cluster/cluster.js';
import { loadClusterDefinition, type ClusterDefinition } from '../definition.js';
import { recoverLeftovers } from '../recovery/recover.js';
import { Executor } from '../executor/executor.js';
import type { ExecutionSummary, FaultEvent, Progress } from '../executor/events.js';
import { attachProgressLine } from '../executor/progress.js';
import { generateSchedule } from '../generators/generate.js';
import { openLoopSchedule } from '../generators/open-loop.js';
import { baselineCheck, compareSamples } from '../compare/compare.js';
import { loadRunSamples } from '../compare/load.js';
import { localReader } from '../resources/proc.js';
import { ResourceSampler, summarizeResources } from '../resources/sampler.js';
import { resolveScheduleParams } from '../generators/params.js';
import type { ScheduleParams } from '../generators/params.js';
import { describeSchedule, formatSchedule, type Schedule } from '../generators/schedule.js';
import { countOps, type RunCounts } from '../history/counts.js';
import { loadHistory } from '../history/load.js';
import { Recorder } from '../history/recorder.js';
import { silentLogger, type Logger } from '../log.js';
import { LinkFaults } from '../nemesis/link/index.js';
import { Nemesis, setupLinkFaults, type LinkBackend } from '../nemesis/nemesis.js';
import { renderReport } from '../report/index.js';
import { checkHistory, nodeLogs, registerCheckPlan, type CheckPlan } from './checks.js';
import {
  assertWorkloadFits,
  createRunWorkload,
  generateWorkloadSchedule,
  txnCheckPlan,
  voteCheckPlan,
  voteObservations,
  workloadLabel,
  type WorkloadName,
} from './workloads.js';
import { withFaultTargets } from './fault-targets.js';
import { createRunDir, updateLatestLink } from './run-dir.js';
import { formatSummary, runFiles } from './summary.js';
import type { Observable } from 'rxjs';
import { inRun, runFile } from '../run-layout.js';

/** Fault kinds that need the link proxy (set up before the members start). */
const LINK_KINDS = new Set(['latency', 'bandwidth', 'reset', 'blackhole']);

export type { WorkloadName } from './workloads.js';

export interface RunOptions {
  clusterFile: string;
  workload: WorkloadName;
  readConsistency: ReadConsistency;
  /** Transaction isolation of the `vote` and `list-append` workloads (default read committed). */
  isolation?: Isolation;
  /** `list-append`: the model to hold the history to (default: what the isolation promises). */
  consistencyModel?: string;
  /**
   * Heal faults (default true). false: no fault is ever healed; each stays in force until the
   * final teardown (which the journal records), e.g. to see a system that never regains quorum
   * reported as stuck; no convergence check then.
   */
  healAtEnd?: boolean;
  /** Point every fault of the schedule at these nodes (`--fault-targets`). */
  faultTargets?: string[];
  /** Generate from these knobs and `seed` (and `path`), unless `schedule` is given. */
  params?: Partial<ScheduleParams>;
  seed?: number;
  path?: string;
  /** Re-execute exactly this schedule (`replay --live`). */
  schedule?: Schedule;
  resultsRoot: string;
  /** Results go to `<resultsRoot>/<test>/<time>/`; default `<cluster>-<workload>[-serializable]`. */
  test?: string;
  opTimeoutMs: number;
  /** Budget for the linearizability search (its verdict is 'unknown' past it). */
  checkTimeLimitMs?: number;
  /** SLO expressions (checkers/slo), checked as the `slo` check: a violated one fails the run. */
  slos?: string[];
  /** Compare with this run at the end (`baseline` check: false on a regression beyond tolerance). */
  baseline?: { run: string; tolerance: number };
  /** Open loop at this many ops/s in total (generators/open-loop.ts); default closed loop. */
  openLoopRate?: number;
  /** The command line, recorded so the run can be reproduced. */
  command: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Live progress line on stderr. */
  progress?: boolean;
  /** Sees the executor's streams (the daemon's live view). */
  onStreams?: (streams: {
    progress$: Observable<Progress>;
    faults$: Observable<FaultEvent>;
  }) => void;
  /** Use exactly this run directory (created if missing) instead of `<resultsRoot>/<test>/<time>/`. */
  runDir?: string;
  /** Called once the run dir holds schedule.json, before the cluster starts (the daemon's bookkeeping). */
  onRunDir?: (runDir: string, schedule: Schedule) => void;
  /** Render report.html (default true; shrink attempts skip it). */
  report?: boolean;
  /** Point `<resultsRoot>/latest` at this run (default true). */
  updateLatest?: boolean;
}

export interface RunOutcome {
  runDir: string;
  valid: Validity;
  results: RunResultsFile;
  summary: string;
  /**
   * Set when the cluster never became healthy, so no op ran: `definition` when a member refused
   * to start as the definition says (bad command, arguments, environment), `internal` otherwise.
   */
  startFailure?: 'definition' | 'internal';
}

export interface RunResultsFile {
  valid: Validity;
  checks: Record<string, unknown>;
  timings: Record<string, number>;
  run: {
    test: string;
    startedAt: string;
    endedAt: string;
    seed: number | null;
    path: string | null;
    command: string;
    replay: string;
    cluster: string;
    database: string;
    nodes: string[];
    /** The cluster's namespaces (gone after the run; tests check that). */
    namespaces: string[];
    workload: string;
    /** The etcd workloads' read consistency (absent for the vote workload). */
    readConsistency?: ReadConsistency;
    /** The vote workload's isolation level. */
    isolation?: Isolation;
    /** false: faults were left in force until the teardown. */
    healAtEnd?: boolean;
    /** Fault ids the teardown ended (never healed), when healAtEnd is false. */
    endedByTeardown?: string[];
    /** ms until every member was healthy; null: the cluster never became healthy. */
    clusterUpMs: number | null;
    execution: ExecutionSummary | null;
    /** Client ops and final reads as recorded (history/counts.ts); null: no history. */
    counts?: RunCounts | null;
    aborted: boolean;
    error: string | null;
    checkPlan: CheckPlan;
    /** Each node's own RSS, CPU and open files over the run (resources.jsonl has the samples). */
    resources?: ReturnType<typeof summarizeResources>;
  };
}

function errorText(err: unknown): string {
  const e = err as { userMessage?: string; message?: string };
  return e?.userMessage ?? e?.message ?? String(err);
}

function defaultTestName(def: ClusterDefinition, o: RunOptions): string {
  if (o.workload !== 'register')
    return `${def.name}-${o.workload}-${isolationOf(o).replace(/ /g, '-')}`;
  return `${def.name}-${o.workload}${o.readConsistency === 'serializable' ? '-serializable' : ''}`;
}

const isolationOf = (o: RunOptions): Isolation => o.isolation ?? 'read committed';

function scheduleFor(o: RunOptions, def: ClusterDefinition): Schedule {
  if (o.schedule) return o.schedule;
  if (o.openLoopRate !== undefined) {
    // Enough ops per worker for the timetable: the total rate spread over the workers.
    const concurrency = o.params?.concurrency ?? resolveScheduleParams(o.params).concurrency;
    const params = { ...o.params, rate: o.openLoopRate / concurrency };
    return openLoopSchedule(
      generateWorkloadSchedule(o.workload, def, params, o.seed),
      o.openLoopRate,
    );
  }
  if (o.path !== undefined && o.workload === 'register')
    return generateSchedule(o.params ?? {}, o.seed, o.path).schedule;
  return generateWorkloadSchedule(o.workload, def, o.params ?? {}, o.seed);
}

/** Runs one trial; resolves with its verdict once results are written and everything is down. */
export async function runTrial(o: RunOptions): Promise<RunOutcome> {
  const log = o.logger ?? silentLogger;
  const startedAt = new Date();
  const recovered = await recoverLeftovers({ logger: log });
  for (const t of recovered.tornDown) {
    log.warn(
      { cluster: t.name, runId: t.runId, unhealed: t.unhealedFaults },
      `tore down a leftover cluster (${t.reason})`,
    );
  }

  const def = await loadClusterDefinition(o.clusterFile);
  assertWorkloadFits(def, o.clusterFile, o.workload);
  const faultTargets = o.faultTargets && checkedTargets(def, o.clusterFile, o.faultTargets);
  const healAtEnd = o.healAtEnd ?? true;
  const test = o.test ?? defaultTestName(def, o);
  const runDir = o.runDir ? resolve(o.runDir) : createRunDir(o.resultsRoot, test, startedAt);
  if (o.runDir) mkdirSync(runDir, { recursive: true });
  const schedule = faultTargets
    ? withFaultTargets(scheduleFor(o, def), faultTargets)
    : scheduleFor(o, def);
  writeFileSync(inRun(runDir, 'schedule'), formatSchedule(schedule));
  copyFileSync(o.clusterFile, inRun(runDir, 'cluster'));
  o.onRunDir?.(runDir, schedule);
  log.info({ runDir }, `run ${test}: ${describeSchedule(schedule)}`);

  const plan = withSlos(
    leaveFaultsPlan(
      o.workload === 'vote'
        ? voteCheckPlan()
        : o.workload === 'list-append'
          ? txnCheckPlan(isolationOf(o), {
              ...(o.consistencyModel ? { consistencyModel: o.consistencyModel } : {}),
              ...(o.checkTimeLimitMs ? { timeLimitMs: o.checkTimeLimitMs } : {}),
            })
          : registerCheckPlan({
              voters: def.nodes.length,
              ...(o.checkTimeLimitMs ? { timeLimitMs: o.checkTimeLimitMs } : {}),
            }),
      healAtEnd,
    ),
    o.slos,
  );
  let endedByTeardown: string[] | undefined;
  let cluster: Cluster | undefined;
  let nemesis: Nemesis | undefined;
  let links: LinkFaults | undefined;
  let execution: ExecutionSummary | null = null;
  let observations: ReplicaObservation[] | undefined;
  let runError: string | null = null;
  let clusterUpMs: number | null = null;
  let startFailure: RunOutcome['startFailure'];
  let sampler: ResourceSampler | undefined;
  try {
    cluster = await Cluster.create(def, { runDir, definitionFile: o.clusterFile, logger: log });
    let link: LinkBackend | undefined;
    if (schedule.faults.some((f) => usesLink(f.fault))) {
      links = new LinkFaults();
      link = await setupLinkFaults(cluster, links);
    }
    try {
      clusterUpMs = await cluster.start();
    } catch (err) {
      startFailure = err instanceof MemberExitedError ? 'definition' : 'internal';
      const why =
        err instanceof MemberExitedError
          ? `member ${err.node} exited: ${err.reason} (log: ${err.logFile})`
          : errorText(err);
      throw new Error(`cluster never became healthy: ${why}`, { cause: err });
    }
    nemesis = new Nemesis(cluster, {
      journalPath: inRun(runDir, 'journal'),
      seed: schedule.origin?.seed ?? 0,
      logger: log,
      ...(link ? { link } : {}),
    });
    const nodes = cluster.nodes.map((n) => ({ name: n.name, url: n.clientUrl }));
    const recorder = await Recorder.open(inRun(runDir, 'history'));
    const up = cluster;
    sampler = new ResourceSampler({
      nodes: nodes.map((n) => n.name),
      reader: localReader((name) => up.pidOf(name)),
      now: () => recorder.now(),
      file: inRun(runDir, 'resources'),
    });
    sampler.start();
    const executor = new Executor({
      schedule,
      workload: createRunWorkload(o.workload, schedule, {
        readConsistency: o.readConsistency,
        isolation: isolationOf(o),
        opTimeoutMs: o.opTimeoutMs,
      }),
      healAtEnd,
      nodes,
      recorder,
      nemesis,
      opTimeoutMs: o.opTimeoutMs,
      openLoop: schedule.openLoop !== undefined,
      logger: log,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    o.onStreams?.({ progress$: executor.progress$, faults$: executor.faults$ });
    const progress = o.progress ? attachProgressLine(executor.progress$) : undefined;
    try {
      execution = await executor.run();
    } finally {
      progress?.unsubscribe();
    }
    // list-append's final reads are in its history (the checker reads them): nothing to observe
    if (!o.signal?.aborted && healAtEnd && o.workload !== 'list-append') {
      observations =
        o.workload === 'vote'
          ? voteObservations(
              (await loadHistory(inRun(runDir, 'history'), { format: 'jsonl' })).ops,
              nodes,
            )
          : await cluster.observe();
    }
  } catch (err) {
    runError = errorText(err);
    log.error({ err: runError }, 'trial failed');
  } finally {
    // Heal before tearing down so the journal says every fault was undone; or, with faults
    // left in force on purpose, tear down first and journal that the teardown ended them.
    if (healAtEnd) {
      await nemesis?.healAll().catch((err) => log.error({ err: errorText(err) }, 'heal failed'));
      await nemesis?.close().catch(() => undefined);
    }
    await sampler?.stop().catch(() => undefined);
    const running =
      (cluster &&
        (
          await Promise.all(
            cluster.nodes.map(async (n) => ((await cluster!.isRunning(n.name)) ? [n.name] : [])),
          )
        ).flat()) ??
      [];
    await links?.teardown().catch(() => undefined);
    await cluster?.down().catch((err) => log.error({ err: errorText(err) }, 'teardown failed'));
    if (!healAtEnd && nemesis) {
      endedByTeardown = nemesis.closeAfterTeardown({
        killed: running,
        namespacesRemoved: nodeHomes(cluster),
      });
      if (endedByTeardown.length)
        log.info({ faults: endedByTeardown }, 'faults left in force were ended by the teardown');
    }
    rmEmptyDir(join(runDir, runFile.data));
  }

  const results = await checkRun(runDir, plan, observations);
  if (o.baseline) await addBaselineCheck(results, runDir, o.baseline, log);
  const historyFile = inRun(runDir, 'history');
  const counts = existsSync(historyFile)
    ? countOps(
        (await loadHistory(historyFile, { format: 'jsonl' })).ops,
        execution?.finalReadsFromProcess,
      )
    : null;
  const file: RunResultsFile = {
    valid: runError ? composeValidity([results.valid, 'unknown']) : results.valid,
    checks: results.checks,
    timings: results.timings,
    run: {
      test,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      seed: schedule.origin?.seed ?? null,
      path: schedule.origin?.path ?? null,
      command: o.command,
      replay: `faultline replay ${runDir}`,
      cluster: resolve(o.clusterFile),
      database: def.database,
      nodes: def.nodes.map((n) => n.name),
      namespaces: nodeHomes(cluster),
      workload: workloadLabel(o.workload),
      // each workload records its own consistency knob: isolation on PostgreSQL, reads for etcd
      ...(o.workload !== 'register'
        ? { isolation: isolationOf(o) }
        : { readConsistency: o.readConsistency }),
      ...(healAtEnd ? {} : { healAtEnd, endedByTeardown: endedByTeardown ?? [] }),
      clusterUpMs: clusterUpMs === null ? null : Math.round(clusterUpMs),
      execution,
      counts,
      aborted: o.signal?.aborted ?? false,
      error: runError,
      checkPlan: plan,
      ...(sampler?.samples.length ? { resources: summarizeResources(sampler.samples) } : {}),
    },
  };
  if (observations)
    writeFileSync(inRun(runDir, 'observations'), JSON.stringify(observations, null, 2) + '\n');
  writeFileSync(inRun(runDir, 'results'), JSON.stringify(file, null, 2) + '\n');
  // A run that recorded no history has nothing to report on: no report, and no pointer to one.
  if ((o.report ?? true) && existsSync(inRun(runDir, 'history'))) {
    try {
      await renderReport(runDir);
    } catch (err) {
      log.warn({ err: errorText(err) }, 'report.html could not be written');
    }
  }
  const summary = formatSummary(file, runDir, runFiles(runDir));
  writeFileSync(inRun(runDir, 'summary'), summary);
  if (o.updateLatest ?? true) updateLatestLink(o.resultsRoot, runDir);
  return {
    runDir,
    valid: file.valid,
    results: file,
    summary,
    ...(startFailure ? { startFailure } : {}),
  };
}

/** Checks a run directory's history with a plan; used by `run` and by offline `replay`. */
export async function checkRun(
  runDir: string,
  plan: CheckPlan,
  observations?: ReplicaObservation[],
): Promise<ComposedResult> {
  const file = inRun(runDir, 'history');
  if (!existsSync(file)) {
    return {
      valid: 'unknown',
      checks: {},
      timings: {},
      reason: 'no history was recorded',
    } as ComposedResult;
  }
  const { ops } = await loadHistory(file, { format: 'jsonl' });
  return checkHistory(ops, plan, {
    logs: nodeLogs(runDir),
    ...(observations ? { observations } : {}),
  });
}

/**
 * With faults left in force until teardown there is no final heal: being stuck at the end under
 * faults is the finding (not excused), and there is nothing to check convergence after.
 */
function leaveFaultsPlan(plan: CheckPlan, healAtEnd: boolean): CheckPlan {
  if (healAtEnd) return plan;
  return {
    ...plan,
    checkers: plan.checkers.filter((c) => c !== 'convergence'),
    options: { ...plan.options, stuck: { ...plan.options.stuck, allowStuckUnderFaults: false } },
  };
}

/** Compares the run with a baseline run; a regression makes the run invalid. */
async function addBaselineCheck(
  results: ComposedResult,
  runDir: string,
  baseline: { run: string; tolerance: number },
  log: Logger,
): Promise<void> {
  try {
    const [b, r] = await Promise.all([loadRunSamples(baseline.run), loadRunSamples(runDir)]);
    results.checks.baseline = baselineCheck(
      compareSamples(b, r, { tolerance: baseline.tolerance }),
      baseline.run,
    );
  } catch (err) {
    log.warn({ err: errorText(err) }, 'baseline comparison failed');
    results.checks.baseline = { valid: 'unknown', error: errorText(err) };
  }
  results.valid = composeValidity(Object.values(results.checks).map((c) => c.valid));
}

/** SLOs become the `slo` check of the plan (kept in results.json, so replay judges them too). */
function withSlos(plan: CheckPlan, slos: readonly string[] | undefined): CheckPlan {
  if (!slos?.length) return plan;
  return {
    ...plan,
    checkers: [...plan.checkers, 'slo'],
    options: { ...plan.options, slo: { slos: [...slos] } },
  };
}

/** Fault targets must name nodes of the cluster: checked before anything starts. */
function checkedTargets(def: ClusterDefinition, file: string, nodes: string[]): string[] {
  const known = def.nodes.map((n) => n.name);
  const unknown = nodes.filter((n) => !known.includes(n));
  if (nodes.length === 0 || unknown.length > 0) {
    const msg = `fault targets: ${nodes.length === 0 ? 'no node named' : `unknown node(s) ${unknown.join(', ')}`}; ${file} has ${known.join(', ')}`;
    throw Object.assign(new Error(msg), { userMessage: msg });
  }
  return nodes;
}

/** Where the nodes lived (netns names; containers or hosts on other backends), for the record. */
function nodeHomes(cluster: Cluster | undefined): string[] {
  return (
    cluster?.nodes.map((n) => {
      const w = cluster.where(n.name);
      return String(w.netns ?? w.container ?? w.host ?? n.name);
    }) ?? []
  );
}

/** Teardown wipes member data; drop the then-empty directory so the run dir holds only results. */
function rmEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not there, or not empty: leave it
  }
}

function usesLink(f: { kind: string; params?: { [k: string]: unknown } }): boolean {
  if (LINK_KINDS.has(f.kind)) return true;
  const parts =
    f.kind === 'compound' ? (f.params?.faults as { kind: string }[] | undefined) : undefined;
  return (parts ?? []).some((p) => LINK_KINDS.has(p.kind));
}
