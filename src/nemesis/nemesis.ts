/**
 * The Nemesis: applies faults (data, see fault.ts) to a live cluster and always undoes them.
 *
 * For every fault: resolve targets (seeded RNG; `primaries` asks the system who leads), let the
 * kind's handler (faults/) compute what applying it will change and how to undo it, write that
 * to the journal (fsynced, naming handler and backend), apply, verify the effect, journal the
 * verification. Healing journals `heal`, undoes through the handler, verifies and journals
 * `healed`. A crash between those steps leaves the journal naming what to undo; see
 * src/recovery/recover.ts. Events stream out as an rxjs Subject for the executor and reports.
 */
import { Subject } from 'rxjs';
import type { JsonValue } from '../history/op.js';
import { onShutdown } from '../cluster/cleanup.js';
import { silentLogger, type Logger } from '../log.js';
import { inRun } from '../run-layout.js';
import { waitFor } from '../wait.js';
import type { NemesisCluster } from './cluster-port.js';
import type { Fault } from './fault.js';
import { handlerForKind, type AppliedFault, type Plan } from './faults/index.js';
import type { LinkBackend } from './faults/link.js';
import { undoRecorded } from './heal.js';
import { FaultJournal, type Undo } from './journal.js';
import type { Cut } from './partition.js';
import { createRng, mixSeed, type Rng } from './rng.js';
import { resolveTargets } from './targets.js';
import { verifyCuts, type Verification } from './verify.js';

export type { Verification } from './verify.js';
export type { AppliedFault } from './faults/index.js';
export { FaultNotAvailableError } from './faults/index.js';
export { linkBackend, linkFaultLinks, setupLinkFaults, type LinkBackend } from './faults/link.js';
export { undoRecorded } from './heal.js';

export interface HealResult {
  id: string;
  verification: Verification;
}

export type NemesisEvent =
  | { type: 'applying'; id: string; fault: Fault; targets: string[] }
  | { type: 'applied'; fault: AppliedFault }
  | { type: 'apply-failed'; id: string; fault: Fault; error: string }
  | { type: 'healing'; id: string }
  | { type: 'healed'; result: HealResult }
  | { type: 'heal-failed'; id: string; error: string };

/** How long a `primaries` fault waits for the cluster to have a leader. */
const PRIMARY_WAIT_MS = 10_000;

export interface NemesisOptions {
  /** Default: <cluster run dir>/faults.journal.jsonl */
  journalPath?: string;
  /** Seed of the target/shape RNG (default 0). */
  seed?: number;
  link?: LinkBackend;
  logger?: Logger;
  /** Register a SIGINT/SIGTERM hook that heals everything (default true). */
  healOnSignal?: boolean;
}

interface Active {
  applied: AppliedFault;
  undo: Undo;
  cuts?: Cut[];
}

export class Nemesis {
  private readonly subject = new Subject<NemesisEvent>();
  /** Fault events, in order. */
  readonly events = this.subject.asObservable();
  private readonly active = new Map<string, Active>();
  private readonly journal: FaultJournal;
  private readonly seed: number;
  /** Draws for faults applied without a salt, in apply order. */
  private readonly rng: Rng;
  private readonly logger: Logger;
  private readonly link: LinkBackend | undefined;
  private nextId = 1;
  private unregister: (() => void) | undefined;

  constructor(
    readonly cluster: NemesisCluster,
    opts: NemesisOptions = {},
  ) {
    const path = opts.journalPath ?? inRun(cluster.state.runDir, 'journal');
    this.journal = FaultJournal.open(path);
    cluster.registerJournal(path);
    this.seed = opts.seed ?? 0;
    this.rng = createRng(this.seed);
    this.logger = opts.logger ?? silentLogger;
    this.link = opts.link;
    if (opts.healOnSignal !== false)
      this.unregister = onShutdown('nemesis heal', () => this.healAll());
  }

  get journalPath(): string {
    return this.journal.path;
  }

  /** Faults applied and not yet healed. */
  activeFaults(): AppliedFault[] {
    return [...this.active.values()].map((a) => a.applied);
  }

  private newId(): string {
    let id: string;
    do id = `f${this.nextId++}`;
    while (this.active.has(id));
    return id;
  }

  /**
   * `opts.salt`: the fault's own target choices then depend only on (seed, salt), not on which
   * faults were applied before it. The executor salts with the fault's start time, so dropping
   * a fault while shrinking a schedule does not change whom the remaining faults hit.
   */
  async apply(fault: Fault, opts: { id?: string; salt?: number } = {}): Promise<AppliedFault> {
    const id = opts.id ?? this.newId();
    if (this.active.has(id)) throw new Error(`fault id ${id} is already active`);
    const rng = opts.salt === undefined ? this.rng : createRng(mixSeed(this.seed, opts.salt));
    const plan = await this.plan(id, fault, rng);
    this.journal.write({
      event: 'apply',
      id,
      fault,
      targets: plan.targets,
      handler: plan.undo.handler,
      backend: plan.undo.backend,
      undo: plan.undo,
      pid: process.pid,
    });
    this.subject.next({ type: 'applying', id, fault, targets: plan.targets });
    let applied: AppliedFault;
    try {
      const { verification, details, parts } = await plan.run();
      applied = {
        id,
        fault,
        targets: plan.targets,
        details: { ...plan.details, ...details },
        verification,
        appliedAt: new Date().toISOString(),
        ...(parts ? { parts } : {}),
      };
    } catch (err) {
      const error = (err as Error).message;
      this.journal.write({ event: 'apply-failed', id, error });
      this.subject.next({ type: 'apply-failed', id, fault, error });
      // Undo whatever part took effect, so a failed apply leaves nothing behind.
      // If that undo fails too, no `healed` is journaled and crash recovery will retry it.
      const undone = await this.undo(plan.undo).then(
        () => true,
        () => false,
      );
      if (undone) this.journal.write({ event: 'healed', id });
      throw err;
    }
    this.active.set(id, { applied, undo: plan.undo, ...(plan.cuts ? { cuts: plan.cuts } : {}) });
    this.journal.write({
      event: 'applied',
      id,
      verification: applied.verification as unknown as JsonValue,
    });
    // debug: the caller (the executor) tells people, once, in the trial's own terms.
    this.logger.debug(
      { id, kind: fault.kind, targets: applied.targets, verified: applied.verification.ok },
      'fault applied',
    );
    this.subject.next({ type: 'applied', fault: applied });
    return applied;
  }

  async heal(id: string): Promise<HealResult> {
    const a = this.active.get(id);
    if (!a) throw new Error(`no active fault ${id}`);
    this.journal.write({ event: 'heal', id });
    this.subject.next({ type: 'healing', id });
    let verification: Verification;
    try {
      verification = await this.undo(a.undo, a.cuts);
    } catch (err) {
      const error = (err as Error).message;
      this.subject.next({ type: 'heal-failed', id, error });
      throw err;
    }
    this.active.delete(id);
    this.journal.write({ event: 'healed', id, verification: verification as unknown as JsonValue });
    this.logger.debug({ id, verified: verification.ok }, 'fault healed');
    const result = { id, verification };
    this.subject.next({ type: 'healed', result });
    return result;
  }

  /** Heals every active fault, newest first; keeps going past failures, then reports them. */
  async healAll(): Promise<HealResult[]> {
    const results: HealResult[] = [];
    const errors: string[] = [];
    for (const id of [...this.active.keys()].reverse()) {
      try {
        results.push(await this.heal(id));
      } catch (err) {
        errors.push(`${id}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`could not heal: ${errors.join('; ')}`);
    return results;
  }

  /** Heals everything and closes the journal. */
  async close(): Promise<void> {
    try {
      await this.healAll();
    } finally {
      this.unregister?.();
      this.journal.close();
      this.subject.complete();
    }
  }

  /**
   * Closes WITHOUT healing, for a run that left its faults in force on purpose until the cluster
   * was torn down (call after teardown): journals each active fault as `healed` by the teardown,
   * with what the teardown did, so the journal ends with nothing left to undo. Returns the ids.
   */
  closeAfterTeardown(teardown: { [k: string]: JsonValue }): string[] {
    const ids = [...this.active.keys()];
    try {
      for (const id of ids)
        this.journal.write({
          event: 'healed',
          id,
          verification: { ok: true, endedBy: 'teardown', observed: teardown },
        });
      this.active.clear();
    } finally {
      this.unregister?.();
      this.journal.close();
      this.subject.complete();
    }
    return ids;
  }

  // --- planning: targets, undo record, and the function that applies -------------------------

  /**
   * The leaders a `primaries` fault targets. Right after an election (a heal, a killed leader)
   * there may be none for a moment: wait for one rather than fail the fault.
   */
  private currentPrimaries(): Promise<string[]> {
    return waitFor(
      'a primary (leader) to target',
      async () => {
        const p = await this.cluster.primaries();
        return p.length > 0 ? p : undefined;
      },
      { timeoutMs: PRIMARY_WAIT_MS, intervalMs: 200 },
    );
  }

  /** Resolves targets, then lets the fault kind's handler plan it (see faults/). */
  private async plan(id: string, fault: Fault, rng: Rng): Promise<Plan> {
    const c = this.cluster;
    const names = c.nodes.map((n) => n.name);
    const params = fault.params ?? {};
    const needsPrimaries =
      fault.targets === 'primaries' || (fault.kind === 'partition' && params.shape === 'primaries');
    const primaries = needsPrimaries ? await this.currentPrimaries() : [];
    const targets =
      fault.kind === 'compound' ? [] : resolveTargets(fault.targets, names, { rng, primaries });
    return handlerForKind(fault.kind).plan({
      cluster: c,
      id,
      fault,
      params,
      rng,
      names,
      targets,
      primaries,
      link: this.link,
      logger: this.logger,
      planPart: (partId, f) => this.plan(partId, f, rng),
    });
  }

  /** Undoes an Undo record and verifies; shared with crash recovery (see undoRecorded). */
  private async undo(undo: Undo, cuts?: Cut[]): Promise<Verification> {
    const v = await undoRecorded(this.cluster, undo, this.link);
    if (cuts && cuts.length > 0 && v.ok !== false) {
      const open = await verifyCuts(this.cluster, cuts, 'open');
      return { ok: open.ok, observed: { ...v.observed, connectivity: open.observed } };
    }
    return v;
  }
}
