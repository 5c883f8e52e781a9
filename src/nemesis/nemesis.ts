/**
 * The Nemesis: applies faults (data, see fault.ts) to a live Cluster and always undoes them.
 *
 * For every fault: resolve targets (seeded RNG; `primaries` asks the driver who leads), compute
 * what applying it will change and how to undo it, write that to the journal (fsynced), apply,
 * verify the effect, journal the verification. Healing journals `heal`, undoes, verifies and
 * journals `healed`. A crash between those steps leaves the journal naming what to undo; see
 * src/cluster/recover.ts. Events stream out as an rxjs Subject for the executor and reports.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { JsonValue } from '../history/op.js';
import type { Cluster } from '../cluster/cluster.js';
import { onShutdown } from '../cluster/cleanup.js';
import { faketimeFile, observedClockOffset, setClockOffset } from '../cluster/faketime.js';
import { waitFor } from '../cluster/exec.js';
import { isAlive } from '../cluster/proc.js';
import { silentLogger, type Logger } from '../log.js';
import type { Fault, PartitionShape } from './fault.js';
import {
  applyRules,
  clientPartitionRules,
  listFaultRules,
  lossRules,
  partitionRules,
  removeRules,
} from './iptables.js';
import { hostTcpProbe } from './probe.js';
import { FaultJournal, type Undo } from './journal.js';
import { grudgeCuts, partitionGrudge, type Grudge } from './partition.js';
import { createRng, mixSeed, type Rng } from './rng.js';
import { resolveTargets } from './targets.js';
import { verifyCuts, verifyStopped, type Verification } from './verify.js';
import type { AppliedLinkFault, LinkFaultKind, LinkFaultSpec, LinkState } from './link/types.js';
import type { LinkFaults, LinkSetupOptions } from './link/index.js';

export type { Verification } from './verify.js';

/** What the nemesis needs of the link-proxy backend (src/nemesis/link, `LinkFaults`). */
export interface LinkBackend {
  apply(spec: LinkFaultSpec): Promise<AppliedLinkFault>;
  heal(id: string): Promise<unknown>;
  /** Optional: measured effect of an applied fault (e.g. one-way latency). */
  verify?(id: string): Promise<unknown>;
}

/**
 * Adapts the link helper's `LinkFaults` (after `setup(cluster.nodeNets())`, before the cluster
 * starts) to the Nemesis. Latency faults are verified by measuring one affected link.
 */
export function linkBackend(lf: {
  apply(spec: LinkFaultSpec): Promise<AppliedLinkFault>;
  heal(id: string): Promise<unknown>;
  measureLatency?(
    from: string,
    to: string,
    opts?: { samples?: number; timeoutMs?: number },
  ): Promise<unknown>;
}): LinkBackend {
  const specs = new Map<string, LinkFaultSpec>();
  return {
    apply: async (spec) => {
      const applied = await lf.apply(spec);
      specs.set(applied.id, spec);
      return applied;
    },
    heal: async (id) => {
      specs.delete(id);
      return lf.heal(id);
    },
    verify: async (id) => {
      const spec = specs.get(id);
      const first = spec?.links[0];
      if (!spec || !first || spec.kind !== 'latency' || !lf.measureLatency) return undefined;
      return lf.measureLatency(first.from, first.to, { samples: 3, timeoutMs: 5000 });
    },
  };
}

/**
 * The directed links a link fault acts on. `params.links` (["n1>n2", ...]) names them exactly;
 * otherwise every link between a target and the other nodes, in `params.direction`:
 * `outgoing` (what the targets send is slowed), `incoming` (what they receive), or `both`
 * (default). Directed: "n1 -> n2 slow, n2 -> n1 not" is `{links: ["n1>n2"]}`.
 */
export function linkFaultLinks(
  targets: readonly string[],
  names: readonly string[],
  params: { [k: string]: JsonValue | undefined },
): { from: string; to: string }[] {
  if (Array.isArray(params.links)) {
    return params.links.map((l) => {
      const m = typeof l === 'string' ? /^([^>]+)>([^>]+)$/.exec(l) : null;
      if (!m || !names.includes(m[1]!) || !names.includes(m[2]!) || m[1] === m[2]) {
        throw new Error(
          `link "${String(l)}": expected "from>to" between two different nodes of ${names.join(', ')}`,
        );
      }
      return { from: m[1]!, to: m[2]! };
    });
  }
  const direction = params.direction ?? 'both';
  if (direction !== 'both' && direction !== 'outgoing' && direction !== 'incoming') {
    throw new Error(`direction "${String(direction)}": expected outgoing, incoming or both`);
  }
  const seen = new Set<string>();
  return targets
    .flatMap((t) =>
      names
        .filter((o) => o !== t)
        .flatMap((o) => [
          ...(direction !== 'incoming' ? [{ from: t, to: o }] : []),
          ...(direction !== 'outgoing' ? [{ from: o, to: t }] : []),
        ]),
    )
    .filter((l) => (seen.has(`${l.from}>${l.to}`) ? false : (seen.add(`${l.from}>${l.to}`), true)));
}

/**
 * Starts the link proxies for a cluster (call after Cluster.create, before cluster.start: only
 * connections opened after setup go through the proxies), records their pids in the cluster's
 * state file so teardown and crash recovery kill them, and returns the Nemesis backend.
 */
export async function setupLinkFaults(
  cluster: Cluster,
  lf: LinkFaults,
  opts: LinkSetupOptions = {},
): Promise<LinkBackend> {
  const known = new Set<number>();
  const record = (state: LinkState) => {
    for (const srv of state.servers) {
      if (srv.pid !== null && !known.has(srv.pid)) {
        known.add(srv.pid);
        cluster.registerAuxProcess(srv.pid, `link proxy ${srv.node}`);
      }
    }
  };
  const state = await lf.setup(cluster.nodeNets(), {
    logDir: join(cluster.state.runDir, 'logs'),
    ...opts,
    onStateChange: (st) => {
      record(st);
      opts.onStateChange?.(st);
    },
  });
  record(state);
  return linkBackend(lf);
}

export interface AppliedFault {
  id: string;
  fault: Fault;
  /** Nodes the fault touches. */
  targets: string[];
  /** Resolved details (the grudge of a partition, the rejoin method of amnesia...). */
  details: { [k: string]: JsonValue };
  verification: Verification;
  appliedAt: string;
  parts?: AppliedFault[];
}

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

export class FaultNotAvailableError extends Error {
  override readonly name = 'FaultNotAvailableError';
}

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

interface Plan {
  targets: string[];
  undo: Undo;
  details: { [k: string]: JsonValue };
  cuts?: ReturnType<typeof grudgeCuts>;
  run: () => Promise<{
    verification: Verification;
    details?: { [k: string]: JsonValue };
    parts?: AppliedFault[];
  }>;
}

interface Active {
  applied: AppliedFault;
  undo: Undo;
  cuts?: ReturnType<typeof grudgeCuts>;
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
    readonly cluster: Cluster,
    opts: NemesisOptions = {},
  ) {
    const path = opts.journalPath ?? join(cluster.state.runDir, 'faults.journal.jsonl');
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

  private async plan(id: string, fault: Fault, rng: Rng): Promise<Plan> {
    const c = this.cluster;
    const names = c.nodes.map((n) => n.name);
    const params = fault.params ?? {};
    const needsPrimaries =
      fault.targets === 'primaries' || (fault.kind === 'partition' && params.shape === 'primaries');
    const primaries = needsPrimaries ? await this.currentPrimaries() : [];
    const targets =
      fault.kind === 'compound' ? [] : resolveTargets(fault.targets, names, { rng, primaries });

    switch (fault.kind) {
      case 'partition': {
        const shape = params.shape as PartitionShape | undefined;
        if (shape === 'clients') return this.clientPartition(id, targets);
        const grudge: Grudge = partitionGrudge(shape, names, { rng, primaries, targets });
        const cuts = grudgeCuts(grudge);
        const rules = partitionRules(grudge, c.nodes, id);
        const touched = names.filter((n) => cuts.some((x) => x.from === n || x.to === n));
        return {
          targets: touched,
          undo: { rules },
          // nodes: every member, so the sides show the ones no cut touches (a bridge's hub)
          details: { grudge, nodes: names, ...(shape === undefined ? { isolated: targets } : {}) },
          cuts,
          run: async () => {
            await applyRules(rules);
            return { verification: await verifyCuts(c, cuts, 'blocked') };
          },
        };
      }
      case 'loss': {
        const probability = Number(params.probability ?? 0.2);
        const rules = lossRules(
          targets.map((t) => c.node(t)),
          probability,
          id,
        );
        return {
          targets,
          undo: { rules },
          details: { probability },
          run: async () => {
            await applyRules(rules);
            const present = await Promise.all(
              targets.map(
                async (t) =>
                  (await listFaultRules(c.node(t).netns)).filter((r) =>
                    r.includes(`faultline:${id}`),
                  ).length,
              ),
            );
            return {
              verification: {
                ok: present.every((n) => n === 1),
                observed: {
                  rulesInstalled: Object.fromEntries(targets.map((t, i) => [t, present[i]!])),
                },
                notes: [
                  'loss is random: the rule is verified installed; its drops show in the rule counters',
                ],
              },
            };
          },
        };
      }
      case 'kill':
      case 'amnesia': {
        const how = fault.kind === 'kill' ? ('killed' as const) : ('amnesia' as const);
        return {
          targets,
          undo: { down: targets.map((node) => ({ node, how })) },
          details: {},
          run: async () => {
            const pids = targets.map((t) => ({ node: t, pid: c.pidOf(t) ?? null }));
            await Promise.all(targets.map((t) => c.killNode(t, how)));
            if (how === 'amnesia') for (const t of targets) await c.wipeData(t);
            const dataLeft =
              how === 'amnesia'
                ? targets.map((t) =>
                    existsSync(c.node(t).dataDir) ? readdirSync(c.node(t).dataDir).length : 0,
                  )
                : [];
            const gone = pids.map((p) => ({ ...p, alive: p.pid !== null && isAlive(p.pid) }));
            return {
              verification: {
                ok: gone.every((g) => !g.alive) && dataLeft.every((n) => n === 0),
                observed: {
                  processes: gone,
                  ...(how === 'amnesia' ? { dataDirEntries: dataLeft } : {}),
                },
              },
            };
          },
        };
      }
      case 'pause': {
        const procs = targets.map((t) => {
          const p = c.node(t).process;
          if (!p || !c.isRunning(t)) throw new Error(`cannot pause ${t}: not running`);
          return { node: t, pid: p.pid, startTime: p.startTime };
        });
        return {
          targets,
          undo: { paused: procs },
          details: {},
          run: async () => {
            await Promise.all(targets.map((t) => c.pauseNode(t)));
            return { verification: verifyStopped(procs, true) };
          },
        };
      }
      case 'clock': {
        const offset =
          params.offsetSeconds !== undefined
            ? Number(params.offsetSeconds)
            : params.offsetMs !== undefined
              ? Number(params.offsetMs) / 1000
              : 60;
        if (!c.driver.honoursFaketime) {
          // Say it plainly: Go binaries (etcd) read the clock without libc, so libfaketime
          // cannot move their clock. The fault is recorded as NOT applied, never as done.
          const reason = `${c.definition.database} is a Go binary and ignores libfaketime: clock fault not applied, not verifiable`;
          this.logger.warn({ id, targets }, reason);
          return {
            targets,
            undo: {},
            details: { offsetSeconds: offset, applied: false },
            run: async () => ({
              verification: { ok: 'unverifiable', observed: { applied: false, reason } },
            }),
          };
        }
        const files = targets.map((t) => ({ node: t, file: faketimeFile(c.state.runDir, t) }));
        return {
          targets,
          undo: { clock: files },
          details: { offsetSeconds: offset },
          run: async () => {
            for (const f of files) setClockOffset(f.file, offset);
            // What a libfaketime process reading the same file sees now (`date` in the netns).
            const seen = await Promise.all(
              files.map((f) => observedClockOffset(f.file, c.node(f.node).netns)),
            );
            return {
              verification: {
                ok: seen.every((s) => Math.abs(s - offset) < 2),
                observed: {
                  applied: true,
                  offsetSeconds: offset,
                  seenOffsetSeconds: Object.fromEntries(
                    files.map((f, i) => [f.node, Number(seen[i]!.toFixed(3))]),
                  ),
                },
                notes: ['offset seen by `date` under the same libfaketime file the member reads'],
              },
            };
          },
        };
      }
      case 'latency':
      case 'bandwidth':
      case 'reset':
      case 'blackhole': {
        const link = this.link;
        if (!link) {
          throw new FaultNotAvailableError(
            `${fault.kind} faults need the link-proxy backend (src/nemesis/link); none was given to this Nemesis`,
          );
        }
        const links = linkFaultLinks(targets, names, params);
        const spec: LinkFaultSpec = {
          kind: fault.kind as LinkFaultKind,
          links,
          params: params as LinkFaultSpec['params'],
          id,
        };
        return {
          targets,
          undo: { link: { id } },
          details: { links: links.map((l) => `${l.from}>${l.to}`) },
          run: async () => {
            const applied = await link.apply(spec);
            const measured = link.verify ? await link.verify(id) : undefined;
            // Latency is verified when the measured one-way delay reaches the asked delay
            // (minus jitter and a 20% margin); other link kinds are checked as installed.
            const forwardMs = (measured as { forwardMs?: number | null } | undefined)?.forwardMs;
            const want = Number(params.latencyMs ?? 0) - Number(params.jitterMs ?? 0);
            const ok: Verification['ok'] =
              applied.installed.length === 0
                ? false
                : typeof forwardMs === 'number'
                  ? forwardMs >= 0.8 * want
                  : 'unverifiable';
            return {
              verification: {
                ok,
                observed: {
                  installed: applied.installed.length,
                  ...(measured !== undefined ? { measured: measured as JsonValue } : {}),
                },
              },
            };
          },
        };
      }
      case 'compound': {
        const faults = (params.faults ?? []) as unknown as Fault[];
        if (!Array.isArray(faults) || faults.length === 0)
          throw new Error('compound fault needs params.faults (a non-empty list)');
        const plans: Plan[] = [];
        for (const [i, f] of faults.entries())
          plans.push(await this.plan(`${id}.${i + 1}`, f, rng));
        const undo: Undo = { parts: plans.map((p, i) => ({ id: `${id}.${i + 1}`, undo: p.undo })) };
        const cuts = plans.flatMap((p) => p.cuts ?? []);
        return {
          targets: [...new Set(plans.flatMap((p) => p.targets))].sort(
            (a, b) => names.indexOf(a) - names.indexOf(b),
          ),
          undo,
          details: {},
          ...(cuts.length ? { cuts } : {}),
          run: async () => {
            const parts: AppliedFault[] = [];
            for (const [i, p] of plans.entries()) {
              const r = await p.run();
              parts.push({
                id: `${id}.${i + 1}`,
                fault: faults[i]!,
                targets: p.targets,
                details: { ...p.details, ...r.details },
                verification: r.verification,
                appliedAt: new Date().toISOString(),
              });
            }
            const oks = parts.map((p) => p.verification.ok);
            return {
              verification: {
                ok: oks.includes(false)
                  ? false
                  : oks.every((o) => o === true)
                    ? true
                    : 'unverifiable',
                observed: {
                  parts: parts.map((p) => ({
                    id: p.id,
                    kind: p.fault.kind,
                    ok: p.verification.ok,
                  })),
                },
              },
              parts,
            };
          },
        };
      }
      default:
        throw new Error(`unknown fault kind ${JSON.stringify((fault as Fault).kind)}`);
    }
  }

  /**
   * Partition from clients: the targets drop traffic to and from the host, where clients run.
   * Verified by a TCP connect from the host to each target's client port timing out.
   */
  private clientPartition(id: string, targets: string[]): Plan {
    const c = this.cluster;
    const rules = clientPartitionRules(
      targets.map((t) => c.node(t)),
      c.state.hostIp,
      id,
    );
    const port = c.definition.ports.client;
    return {
      targets,
      undo: { rules },
      details: { from: 'clients', hostIp: c.state.hostIp },
      run: async () => {
        await applyRules(rules);
        const probes = await Promise.all(
          targets.map(async (t) => ({
            node: t,
            outcome: await hostTcpProbe(c.node(t).ip, port, 1000),
          })),
        );
        return {
          verification: {
            ok: probes.every((p) => p.outcome === 'timeout'),
            observed: { probe: `tcp connect from the host to client port ${port}`, probes },
          },
        };
      },
    };
  }

  /** Undoes an Undo record and verifies; shared with crash recovery (see undoRecorded). */
  private async undo(undo: Undo, cuts?: ReturnType<typeof grudgeCuts>): Promise<Verification> {
    const v = await undoRecorded(this.cluster, undo, this.link);
    if (cuts && cuts.length > 0 && v.ok !== false) {
      const open = await verifyCuts(this.cluster, cuts, 'open');
      return { ok: open.ok, observed: { ...v.observed, connectivity: open.observed } };
    }
    return v;
  }
}

/**
 * Undoes what an Undo record describes on a cluster: delete rules, SIGCONT, restart killed
 * members, rejoin wiped ones, reset clocks, heal link faults. Used by heal and by recovery.
 */
export async function undoRecorded(
  cluster: Cluster,
  undo: Undo,
  link?: LinkBackend,
): Promise<Verification> {
  const observed: { [k: string]: JsonValue } = {};
  let ok: Verification['ok'] = true;
  for (const part of [...(undo.parts ?? [])].reverse()) {
    const v = await undoRecorded(cluster, part.undo, link);
    observed[part.id] = v.observed;
    if (v.ok === false) ok = false;
  }
  if (undo.link) {
    if (link) await link.heal(undo.link.id);
    else observed.link = 'no link backend here: its proxies are removed with the cluster';
  }
  if (undo.rules) {
    await removeRules(undo.rules);
    const left = await Promise.all(
      undo.rules.map(
        async (s) =>
          (await listFaultRules(s.netns).catch(() => [])).filter((r) =>
            s.rules.some((x) => r.includes(x[x.indexOf('--comment') + 1]!)),
          ).length,
      ),
    );
    observed.rulesLeft = left.reduce((a, b) => a + b, 0);
    if (observed.rulesLeft !== 0) ok = false;
  }
  if (undo.paused) {
    const live = undo.paused.filter((p) => isAlive(p.pid, p.startTime));
    for (const p of live) process.kill(p.pid, 'SIGCONT');
    for (const p of live) await cluster.resumeNode(p.node).catch(() => undefined);
    const v = verifyStopped(live, false);
    observed.resumed = v.observed;
    if (!v.ok) ok = false;
  }
  if (undo.clock) for (const c of undo.clock) setClockOffset(c.file, 0);
  if (undo.down) {
    const rejoin: { [k: string]: JsonValue } = {};
    for (const d of undo.down) {
      if (cluster.isRunning(d.node)) continue;
      if (d.how === 'amnesia') {
        const r = await cluster.driver.rejoinAfterDataLoss(cluster, d.node);
        rejoin[d.node] = { method: r.method, observed: r.observed };
      } else {
        await cluster.startNode(d.node, { clusterState: 'existing' });
      }
    }
    const names = undo.down.map((d) => d.node);
    const healthy = await cluster
      .waitHealthy({ nodes: names })
      .then(() => true)
      .catch((err: Error) => {
        observed.healthError = err.message;
        return false;
      });
    observed.restarted = names;
    observed.healthy = healthy;
    if (Object.keys(rejoin).length) observed.rejoin = rejoin;
    if (!healthy) ok = false;
  }
  return { ok, observed };
}
