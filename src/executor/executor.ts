/**
 * Runs a Schedule in real time against a live system and records the history.
 *
 * - One worker per schedule process, each with its own client bound to one node (worker i ->
 *   node i mod n). A worker waits each op's delay, records the invoke, calls the client and
 *   records the completion. After an `info` it continues under a fresh process number (the next
 *   unused integer), because the old process may still have an op in flight forever.
 * - The fault timeline applies each fault at `atMs` and heals it `durationMs` later, recorded as
 *   nemesis ops (`start-<kind>` / `stop-<kind>`, each an invoke then an info; see the shared
 *   contracts). Nemesis ops are serialized so the nemesis never has two ops in flight.
 * - Workers stop issuing ops at `durationMs` (or on abort). Then, always, every fault is healed
 *   (even after an error or abort); then, unless aborted, the executor waits until a read
 *   succeeds on every node (with a deadline) and reads every key on every node; those final
 *   reads are ordinary recorded ops.
 * - Workload hooks (all optional, see clients/client.ts): `setup` runs before any worker starts;
 *   `finalOps` replaces the per-key final reads, run through every worker's client path (e.g.
 *   one `read-votes` each, for convergence); `probeOp`
 *   replaces the recovery probe. With `healAtEnd: false` no fault is ever healed: they stay in
 *   force past the main phase (no recovery wait, no final reads) and the caller's teardown
 *   ends them, e.g. to observe a system that never regains quorum.
 * - ops$, faults$ and progress$ publish what happens (hot subjects: subscribe before run()).
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Subject } from 'rxjs';
import type { Client, ClientOp, Completion, NodeEndpoint, Workload } from '../clients/client.js';
import { nodeForWorker } from '../clients/client.js';
import type { Schedule, ScheduledFault, ScheduledOp } from '../generators/schedule.js';
import type { JsonValue, Op } from '../history/op.js';
import { silentLogger, type Logger } from '../log.js';
import { faultScope } from '../nemesis/sides.js';
import type { ExecutionSummary, ExecutorPhase, FaultEvent, Progress } from './events.js';
import type { NemesisControl } from './nemesis.js';
import { flapOf, flapRounds, type FlapParams } from '../generators/flap.js';
import type { HistorySink, OpInput } from './sink.js';

export interface ExecutorOptions {
  schedule: Schedule;
  workload: Workload;
  nodes: readonly NodeEndpoint[];
  recorder: HistorySink;
  /** Required when the schedule has faults. */
  nemesis?: NemesisControl;
  /** Abort: stop issuing ops, heal everything, close the recorder; no final reads. */
  signal?: AbortSignal;
  /** Per client op. Default 2000 ms. */
  opTimeoutMs?: number;
  /** How long to wait after healing for every node to serve a read. Default 30 s. */
  recoveryTimeoutMs?: number;
  /** Read every key on every node at the end (recorded). Default true. */
  finalReads?: boolean;
  /** The op used to probe a node's recovery (not recorded). Default a read of key 0. */
  probeOp?: ClientOp;
  /**
   * Heal faults (default true). false: a fault is never healed once applied, whatever its
   * duration; it stays in force past the main phase (no recovery wait, no final reads) until
   * the caller tears the cluster down.
   */
  healAtEnd?: boolean;
  /** Close the recorder when the run ends (also on error). Default true. */
  closeRecorder?: boolean;
  progressIntervalMs?: number;
  /**
   * Open loop (default false): each op's `atMs` is when it was meant to start; its invoke records
   * that as `intended` (on the recorder's clock) so latency is measured from it (wrk2-style) and
   * a stall that holds back the ops queued behind it is not hidden by coordinated omission.
   */
  openLoop?: boolean;
  logger?: Logger;
}

interface ActiveFault {
  id: string;
  nemesisId: string;
  fault: ScheduledFault['fault'];
  targets: string[];
}

/** Sleeps `ms`; resolves false instead if `signal` aborts first. */
async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Makes anything JSON-safe for the history (undefined fields dropped, errors as text). */
function toJson(v: unknown): JsonValue {
  if (v === undefined) return null;
  try {
    return JSON.parse(
      JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? x.message : x)),
    ) as JsonValue;
  } catch {
    return String(v);
  }
}

export class Executor {
  private readonly opsSubject = new Subject<Op>();
  private readonly faultsSubject = new Subject<FaultEvent>();
  private readonly progressSubject = new Subject<Progress>();
  /** Every recorded op, client and nemesis, in history order. */
  readonly ops$ = this.opsSubject.asObservable();
  readonly faults$ = this.faultsSubject.asObservable();
  /** Every `progressIntervalMs` (1 s), and once more when the run ends. */
  readonly progress$ = this.progressSubject.asObservable();

  private readonly log: Logger;
  private nextProcess: number;
  private t0 = 0;
  private phase: ExecutorPhase = 'running';
  private counts = { ok: 0, fail: 0, info: 0 };
  private inFlight = 0;
  private readonly active = new Map<string, ActiveFault>();
  private nemesisQueue: Promise<unknown> = Promise.resolve();
  private faultsApplied = 0;
  private faultsFailed = 0;
  private readonly problems: string[] = [];
  private started = false;

  constructor(private readonly opts: ExecutorOptions) {
    this.log = opts.logger ?? silentLogger;
    this.nextProcess = opts.schedule.processes.length;
    if (opts.schedule.faults.length > 0 && !opts.nemesis) {
      throw new Error('the schedule has faults but no nemesis was given');
    }
    if (opts.nodes.length === 0) throw new Error('no nodes to run against');
    if (opts.openLoop && !opts.recorder.now)
      throw new Error('an open-loop run needs a history sink with a clock (now())');
  }

  private elapsedMs(): number {
    return performance.now() - this.t0;
  }

  private record(input: OpInput): Op {
    const op = this.opts.recorder.record(input);
    this.opsSubject.next(op);
    return op;
  }

  /** Runs the whole schedule; resolves with a summary once everything is healed and recorded. */
  async run(): Promise<ExecutionSummary> {
    if (this.started) throw new Error('an Executor runs once');
    this.started = true;
    const { schedule, workload, nodes } = this.opts;
    const userSignal = this.opts.signal ?? new AbortController().signal;
    // Ends the main phase: at durationMs, on user abort, or on an internal error.
    const mainPhase = new AbortController();
    const stop = AbortSignal.any([userSignal, mainPhase.signal]);
    // Every worker's sleeps and requests listen on these: one listener each is expected.
    setMaxListeners(0, stop, userSignal, mainPhase.signal);
    const startedAt = new Date().toISOString();
    this.t0 = performance.now();

    let lastCompleted = 0;
    const interval = this.opts.progressIntervalMs ?? 1000;
    const ticker = setInterval(() => {
      const done = this.counts.ok + this.counts.fail + this.counts.info;
      this.emitProgress(((done - lastCompleted) * 1000) / interval);
      lastCompleted = done;
    }, interval);

    const clients: Client[] = [];
    let runMs: number;
    let mainCounts: typeof this.counts;
    let recovered: boolean | null = null;
    let recoveryMs: number | null = null;
    let finalReads = 0;
    let finalReadsFromProcess: number | null = null;
    let failure: unknown;
    try {
      if (workload.setup) await workload.setup(nodes);
      for (let w = 0; w < schedule.processes.length; w++)
        clients.push(await workload.open(nodeForWorker(nodes, w)));
      const endTimer = setTimeout(() => mainPhase.abort(), schedule.durationMs);
      try {
        const tasks = [
          ...schedule.processes.map((ops, w) => this.worker(w, ops, clients[w]!, stop)),
          ...schedule.faults.map((f, i) => this.faultTask(`f${i}`, f, stop)),
        ];
        // A worker only rejects on a recording failure: end the phase for everyone, then rethrow.
        const results = await Promise.allSettled(
          tasks.map((t) =>
            t.catch((e: unknown) => {
              mainPhase.abort();
              throw e;
            }),
          ),
        );
        const rejected = results.find((r) => r.status === 'rejected');
        if (rejected) throw (rejected as PromiseRejectedResult).reason;
      } finally {
        clearTimeout(endTimer);
      }
    } catch (err) {
      failure = err;
    } finally {
      runMs = this.elapsedMs();
      mainCounts = { ...this.counts };
      // Always heal, whatever happened above (unless the faults are to stay until teardown).
      if (this.healAtEnd) {
        this.phase = 'healing';
        await this.healEverything();
      } else {
        await this.nemesisQueue; // let a fault that was starting finish starting
      }
    }

    try {
      if (!failure && !userSignal.aborted && this.healAtEnd && (this.opts.finalReads ?? true)) {
        this.phase = 'recovering';
        const r0 = this.elapsedMs();
        const probes = await Promise.all(nodes.map((n) => workload.open(n)));
        clients.push(...probes);
        recovered = await this.waitForRecovery(probes, userSignal);
        recoveryMs = Math.round(this.elapsedMs() - r0);
        if (!recovered)
          this.problems.push(
            `not every node served a read within ${this.opts.recoveryTimeoutMs ?? 30_000} ms after healing`,
          );
        if (!userSignal.aborted) {
          this.phase = 'final-reads';
          // A workload's own final ops go through every client path (one fresh client per
          // worker, bound as that worker was), so convergence compares what each path sees.
          const finalClients = workload.finalOps
            ? await Promise.all(
                schedule.processes.map((_, w) => workload.open(nodeForWorker(nodes, w))),
              )
            : probes;
          if (finalClients !== probes) clients.push(...finalClients);
          finalReadsFromProcess = this.nextProcess;
          finalReads = await this.finalReads(finalClients, schedule.keyCount, workload);
        }
      }
    } catch (err) {
      failure ??= err;
    } finally {
      this.phase = 'done';
      clearInterval(ticker);
      this.emitProgress(
        runMs > 0 ? ((mainCounts.ok + mainCounts.fail + mainCounts.info) * 1000) / runMs : 0,
      );
      await Promise.allSettled(clients.map((c) => c.close()));
      if (this.opts.closeRecorder ?? true) {
        await this.opts.recorder.close().catch((e: unknown) => {
          failure ??= e;
        });
      }
      this.opsSubject.complete();
      this.faultsSubject.complete();
      this.progressSubject.complete();
    }
    if (failure) throw failure;
    const completed = mainCounts.ok + mainCounts.fail + mainCounts.info;
    return {
      aborted: userSignal.aborted,
      startedAt,
      runMs: Math.round(runMs),
      ...mainCounts,
      opsPerSec: runMs > 0 ? (completed * 1000) / runMs : 0,
      faultsApplied: this.faultsApplied,
      faultsFailed: this.faultsFailed,
      recovered,
      recoveryMs,
      finalReads,
      finalReadsFromProcess,
      processes: this.nextProcess,
      problems: this.problems,
    };
  }

  private get healAtEnd(): boolean {
    return this.opts.healAtEnd ?? true;
  }

  private emitProgress(opsPerSec: number): void {
    this.progressSubject.next({
      phase: this.phase,
      elapsedMs: Math.round(this.elapsedMs()),
      opsPerSec,
      ...this.counts,
      inFlight: this.inFlight,
      activeFaults: [...this.active.values()].map((a) => `${a.id}:${a.fault.kind}`),
    });
  }

  /** One client op: invoke, call, completion. Returns the completion type. */
  private async perform(
    process: number,
    client: Client,
    op: ClientOp,
    counted: boolean,
    intendedMs?: number,
  ): Promise<Completion['type']> {
    const invokeValue = op.f === 'read' ? null : (op.value ?? null);
    const base = {
      process,
      f: op.f,
      ...(op.key !== undefined ? { key: op.key } : {}),
      node: client.node,
    };
    const intended =
      intendedMs === undefined
        ? {}
        : {
            intended: Math.max(
              0,
              Math.round(this.opts.recorder.now!() - (this.elapsedMs() - intendedMs) * 1e6),
            ),
          };
    this.record({ ...base, type: 'invoke', value: invokeValue, ...intended });
    if (counted) this.inFlight++;
    let c: Completion;
    try {
      c = await client.invoke(op, { timeoutMs: this.opts.opTimeoutMs ?? 2000 });
    } catch (err) {
      // A client bug: we cannot know whether the request went out.
      c = { type: 'info', error: `client-error: ${errorText(err)}` };
    }
    if (counted) {
      this.inFlight--;
      this.counts[c.type]++;
    }
    const value = c.value !== undefined ? c.value : op.f === 'read' ? null : invokeValue;
    this.record({
      ...base,
      type: c.type,
      value,
      ...(c.error !== undefined ? { error: c.error } : {}),
      ...(c.type === 'fail' && c.precondition === false ? { precondition: false as const } : {}),
    });
    return c.type;
  }

  private async worker(
    w: number,
    ops: readonly ScheduledOp[],
    client: Client,
    stop: AbortSignal,
  ): Promise<void> {
    let process = w;
    for (const op of ops) {
      const wait = 'atMs' in op && op.atMs !== undefined ? op.atMs - this.elapsedMs() : op.delayMs;
      if (!(await sleep(wait, stop))) return;
      const clientOp: ClientOp = {
        f: op.f,
        ...(op.key !== undefined ? { key: op.key } : {}),
        ...(op.f !== 'read' ? { value: op.value } : {}),
      };
      const intendedMs = this.opts.openLoop && 'atMs' in op ? op.atMs : undefined;
      const type = await this.perform(process, client, clientOp, true, intendedMs);
      if (type === 'info') process = this.nextProcess++;
    }
  }

  /** Runs nemesis work one piece at a time, in call order, even when faults overlap. */
  private serialNemesis<T>(work: () => Promise<T>): Promise<T> {
    const next = this.nemesisQueue.then(work, work);
    this.nemesisQueue = next.catch(() => undefined);
    return next;
  }

  private emitFault(e: Omit<FaultEvent, 'atMs'>): void {
    this.faultsSubject.next({ ...e, atMs: Math.round(this.elapsedMs()) });
  }

  private async faultTask(id: string, sf: ScheduledFault, stop: AbortSignal): Promise<void> {
    const flap = flapOf(sf.fault);
    if (flap) return this.flapTask(id, sf, flap, stop);
    if (!(await sleep(sf.atMs - this.elapsedMs(), stop))) return;
    await this.serialNemesis(() => this.startFault(id, sf.fault, sf.atMs));
    // Faults to stay in force until teardown are never healed here.
    if (!this.active.has(id) || !this.healAtEnd) return;
    await sleep(sf.atMs + sf.durationMs - this.elapsedMs(), stop); // heal early on abort/end
    await this.serialNemesis(() => this.stopFault(id));
  }

  /** A flapping kill (generators/flap.ts): kill and restart the same target round after round. */
  private async flapTask(
    id: string,
    sf: ScheduledFault,
    flap: FlapParams,
    stop: AbortSignal,
  ): Promise<void> {
    const { flap: _plan, ...params } = sf.fault.params ?? {};
    let targets = sf.fault.targets;
    for (const [k, round] of flapRounds(flap).entries()) {
      const rid = `${id}.${k + 1}`;
      if (!(await sleep(sf.atMs + round.atMs - this.elapsedMs(), stop))) return;
      const fault = { ...sf.fault, targets, params: { ...params, flapRound: k + 1, flapOf: id } };
      await this.serialNemesis(() => this.startFault(rid, fault, sf.atMs + round.atMs));
      const applied = this.active.get(rid);
      if (!applied || !this.healAtEnd) return; // not applied, or never to be healed: no more rounds
      if (applied.targets.length) targets = { nodes: applied.targets };
      await sleep(sf.atMs + round.healMs - this.elapsedMs(), stop);
      await this.serialNemesis(() => this.stopFault(rid));
    }
  }

  private async startFault(
    id: string,
    fault: ScheduledFault['fault'],
    salt: number,
  ): Promise<void> {
    const f = `start-${fault.kind}`;
    const targetsSpec = typeof fault.targets === 'object' ? fault.targets.nodes : fault.targets;
    const value: { [k: string]: JsonValue } = {
      id,
      kind: fault.kind,
      targets: toJson(targetsSpec),
      params: toJson(fault.params ?? {}),
    };
    this.record({ type: 'invoke', process: 'nemesis', f, value });
    this.emitFault({ type: 'starting', id, fault });
    try {
      const applied = await this.opts.nemesis!.apply(fault, { id, salt });
      const targets = [...(applied.targets ?? [])];
      const verified = toJson(applied.verified ?? applied.verification ?? null);
      this.active.set(id, { id, nemesisId: applied.id, fault, targets });
      this.faultsApplied++;
      const info: { [k: string]: JsonValue } = { ...value, targets, verified };
      if (applied.details !== undefined) info.details = toJson(applied.details);
      this.record({ type: 'info', process: 'nemesis', f, value: info });
      this.emitFault({ type: 'started', id, fault, targets, verified });
      // The one line a person sees per fault (the nemesis itself logs at debug).
      this.log.info(
        {
          id,
          kind: fault.kind,
          [fault.kind === 'partition' ? 'sides' : 'targets']: faultScope(targets, applied.details),
          verified: verdictOf(applied.verified ?? applied.verification),
        },
        'fault applied',
      );
    } catch (err) {
      // Possibly half-applied: healAll() at the end undoes whatever remains.
      this.faultsFailed++;
      const error = errorText(err);
      this.problems.push(`${id} ${f} failed: ${error}`);
      this.record({
        type: 'info',
        process: 'nemesis',
        f,
        value: { ...value, verified: null },
        error,
      });
      this.emitFault({ type: 'start-failed', id, fault, error });
      this.log.warn({ id, kind: fault.kind, err: error }, 'fault could not be applied');
    }
  }

  private async stopFault(id: string): Promise<void> {
    const a = this.active.get(id);
    if (!a) return;
    const f = `stop-${a.fault.kind}`;
    this.record({ type: 'invoke', process: 'nemesis', f, value: { id } });
    this.emitFault({ type: 'stopping', id, fault: a.fault, targets: a.targets });
    try {
      const healed = await this.opts.nemesis!.heal(a.nemesisId);
      this.record({ type: 'info', process: 'nemesis', f, value: { id } });
      this.emitFault({ type: 'stopped', id, fault: a.fault, targets: a.targets });
      this.log.info(
        {
          id,
          kind: a.fault.kind,
          verified: verdictOf((healed as { verification?: unknown })?.verification),
        },
        'fault healed',
      );
    } catch (err) {
      const error = errorText(err);
      this.problems.push(`${id} ${f} failed: ${error}`);
      this.record({ type: 'info', process: 'nemesis', f, value: { id }, error });
      this.emitFault({ type: 'stop-failed', id, fault: a.fault, targets: a.targets, error });
      this.log.warn({ id, err: error }, 'fault heal failed; healAll will retry');
    } finally {
      this.active.delete(id);
    }
  }

  /** Stops every active fault (recorded), then asks the nemesis to heal anything left. */
  private async healEverything(): Promise<void> {
    const nemesis = this.opts.nemesis;
    if (!nemesis) return;
    await this.serialNemesis(async () => {
      for (const id of [...this.active.keys()]) await this.stopFault(id).catch(() => undefined);
    });
    // Wait for fault tasks that were mid-start when the phase ended, and heal what they applied.
    await this.nemesisQueue;
    await this.serialNemesis(async () => {
      for (const id of [...this.active.keys()]) await this.stopFault(id).catch(() => undefined);
      try {
        await nemesis.healAll();
      } catch (err) {
        this.problems.push(`healAll failed: ${errorText(err)}`);
        this.log.error({ err: errorText(err) }, 'healAll failed');
      }
    });
  }

  /** True once every probe client completed a read `ok`, false at the deadline. */
  private async waitForRecovery(probes: readonly Client[], signal: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + (this.opts.recoveryTimeoutMs ?? 30_000);
    const probe = this.opts.probeOp ?? this.opts.workload.probeOp ?? { f: 'read', key: 0 };
    const timeoutMs = this.opts.opTimeoutMs ?? 2000;
    const results = await Promise.all(
      probes.map(async (c) => {
        while (!signal.aborted) {
          const left = deadline - performance.now();
          if (left <= 0) return false;
          const r = await c
            .invoke(probe, { timeoutMs: Math.min(timeoutMs, left), signal })
            .catch(() => null);
          if (r?.type === 'ok') return true;
          await sleep(Math.min(200, deadline - performance.now()), signal);
        }
        return false;
      }),
    );
    return results.every(Boolean);
  }

  /**
   * Reads every key on every node (or runs the workload's `finalOps` on every node), one fresh
   * process per node. Returns the number of ops.
   */
  private async finalReads(
    probes: readonly Client[],
    keyCount: number,
    workload: Workload,
  ): Promise<number> {
    const ops: ClientOp[] =
      workload.finalOps?.() ?? Array.from({ length: keyCount }, (_, key) => ({ f: 'read', key }));
    const counts = await Promise.all(
      probes.map(async (c) => {
        let process = this.nextProcess++;
        for (const op of ops) {
          const type = await this.perform(process, c, op, false);
          if (type === 'info') process = this.nextProcess++;
        }
        return ops.length;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}

/** A verification's verdict (`true`, `false`, `unverifiable`) for a log line, not its evidence. */
function verdictOf(v: unknown): JsonValue {
  if (typeof v === 'object' && v !== null && 'ok' in v) return toJson((v as { ok: unknown }).ok);
  return v === undefined ? null : toJson(v);
}

/** Convenience: construct and run. Subscribe to streams by constructing an Executor instead. */
export function runSchedule(opts: ExecutorOptions): Promise<ExecutionSummary> {
  return new Executor(opts).run();
}
