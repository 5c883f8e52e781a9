/**
 * Process faults on members, through the cluster's member lifecycle (which signals each
 * member's process handle the system driver's way): kill (SIGKILL; heal restarts), amnesia
 * (kill, wipe the data directory; heal is the system's rejoin), pause (SIGSTOP; heal SIGCONT).
 */
import type { JsonValue } from '../../history/op.js';
import type { ProcessRef } from '../../control/remote.js';
import { waitFor } from '../../wait.js';
import type { NemesisCluster } from '../cluster-port.js';
import { verifyStopped, type Verification } from '../verify.js';
import { undoOf, type FaultHandler, type Plan, type PlanContext } from './handler.js';

function downPlan(ctx: PlanContext, how: 'killed' | 'amnesia'): Plan {
  const c = ctx.cluster;
  const targets = ctx.targets;
  return {
    targets,
    undo: {
      handler: how === 'killed' ? ('kill' as const) : ('amnesia' as const),
      backend: c.state.placement.backend,
      down: targets.map((node) => ({ node, how })),
    },
    details: {},
    run: async () => {
      const before = await Promise.all(
        targets.map(async (t) => ({ node: t, pid: (await c.processOf(t))?.pid ?? null })),
      );
      await Promise.all(targets.map((t) => c.killNode(t, how)));
      if (how === 'amnesia') for (const t of targets) await c.wipeData(t);
      const dataLeft =
        how === 'amnesia' ? await Promise.all(targets.map((t) => c.dataEntries(t))) : [];
      const gone = await Promise.all(
        before.map(async (p) => ({ ...p, alive: p.pid !== null && (await c.isRunning(p.node)) })),
      );
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

/** Restarts killed members, rejoins wiped ones, then waits for them to be healthy. */
async function bringBack(
  c: NemesisCluster,
  down: readonly { node: string; how: 'killed' | 'amnesia' }[],
): Promise<Verification> {
  const observed: { [k: string]: JsonValue } = {};
  const rejoin: { [k: string]: JsonValue } = {};
  for (const d of down) {
    if (await c.isRunning(d.node)) continue;
    if (d.how === 'amnesia') {
      const r = await c.rejoin(d.node);
      rejoin[d.node] = { method: r.method, observed: r.observed };
    } else {
      await c.startNode(d.node, { clusterState: 'existing' });
    }
  }
  const names = down.map((d) => d.node);
  const healthy = await c
    .waitHealthy({ nodes: names })
    .then(() => true)
    .catch((err: Error) => {
      observed.healthError = err.message;
      return false;
    });
  observed.restarted = names;
  observed.healthy = healthy;
  if (Object.keys(rejoin).length) observed.rejoin = rejoin;
  return { ok: healthy, observed };
}

export const killHandler: FaultHandler = {
  name: 'kill',
  kinds: ['kill'],
  plan: async (ctx) => downPlan(ctx, 'killed'),
  undo: (undo, ctx) => bringBack(ctx.cluster, undoOf(undo, 'kill').down),
};

export const amnesiaHandler: FaultHandler = {
  name: 'amnesia',
  kinds: ['amnesia'],
  plan: async (ctx) => downPlan(ctx, 'amnesia'),
  undo: (undo, ctx) => bringBack(ctx.cluster, undoOf(undo, 'amnesia').down),
};

export const pauseHandler: FaultHandler = {
  name: 'pause',
  kinds: ['pause'],
  async plan(ctx) {
    const c = ctx.cluster;
    const procs = await Promise.all(
      ctx.targets.map(async (t) => {
        const p = await c.processOf(t);
        if (!p) throw new Error(`cannot pause ${t}: not running`);
        return p;
      }),
    );
    return {
      targets: ctx.targets,
      undo: { handler: 'pause', backend: c.state.placement.backend, paused: procs },
      details: {},
      run: async () => {
        await Promise.all(ctx.targets.map((t) => c.pauseNode(t)));
        return { verification: await verifyStopped(c, procs, true) };
      },
    };
  },
  /** SIGCONT every recorded process that still exists (the one recorded, never a reused pid). */
  async undo(undo, ctx) {
    const c = ctx.cluster;
    const live: ProcessRef[] = [];
    for (const p of undoOf(undo, 'pause').paused) {
      const h = c.remote(p.node).attach(p);
      if ((await h.state()) === 'exited') continue;
      await c.signalMember(h, 'SIGCONT');
      live.push(p);
    }
    // Seen running again before verifying (as Cluster.resumeNode waits), bounded.
    await waitFor(
      'paused members to continue',
      async () =>
        (await Promise.all(live.map((p) => c.remote(p.node).attach(p).state()))).every(
          (st) => st !== 'stopped',
        ),
      { timeoutMs: 5000, intervalMs: 10 },
    ).catch(() => undefined); // the verification below records what was seen
    const v = await verifyStopped(c, live, false);
    return { ok: v.ok, observed: { resumed: v.observed } };
  },
};
