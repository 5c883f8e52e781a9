/**
 * Checking that a fault took effect (and that a heal undid it), recording what was seen. A fault
 * whose effect cannot be observed says so (`ok: 'unverifiable'`) instead of claiming success.
 */
import type { JsonValue } from '../history/op.js';
import type { Cluster } from '../cluster/cluster.js';
import { readProcStat } from '../cluster/proc.js';
import type { Cut } from './partition.js';
import { tcpProbe, type ProbeOutcome } from './probe.js';

export interface Verification {
  ok: boolean | 'unverifiable';
  /** What was observed, as plain data (goes into the journal and the history). */
  observed: { [k: string]: JsonValue };
  notes?: string[];
}

/**
 * Partition: every cut pair must fail to connect (timeout); one uncut pair is probed too, to show
 * the probe itself works. The probe targets the CLIENT port: DROP rules match addresses, so any
 * port shows the cut, and peer ports may be DNATed into a local link proxy (src/nemesis/link),
 * which would answer from inside the source namespace and hide the partition.
 */
export async function verifyCuts(
  cluster: Cluster,
  cuts: readonly Cut[],
  expect: 'blocked' | 'open',
): Promise<Verification> {
  const port = cluster.definition.ports.client;
  const probes = await Promise.all(
    cuts.map(async (c) => {
      const outcome = await tcpProbe(cluster.node(c.from).netns, cluster.node(c.to).ip, port, 1000);
      return { from: c.from, to: c.to, outcome };
    }),
  );
  const bad = probes.filter((p) =>
    expect === 'blocked' ? p.outcome !== 'timeout' : p.outcome === 'timeout',
  );
  let control: { from: string; to: string; outcome: ProbeOutcome } | undefined;
  if (expect === 'blocked') {
    const cutSet = new Set(cuts.map((c) => `${c.from}>${c.to}`));
    const names = cluster.nodes.map((n) => n.name);
    const pair = names
      .flatMap((a) => names.map((b) => [a, b] as const))
      .find(([a, b]) => a !== b && !cutSet.has(`${a}>${b}`) && cluster.isRunning(b));
    if (pair)
      control = {
        from: pair[0],
        to: pair[1],
        outcome: await tcpProbe(cluster.node(pair[0]).netns, cluster.node(pair[1]).ip, port, 1000),
      };
  }
  return {
    ok: bad.length === 0 && (!control || control.outcome === 'connected'),
    observed: {
      probe: `tcp connect to client port ${port} from inside the source namespace`,
      expect,
      pairs: probes.map((p) => ({ from: p.from, to: p.to, outcome: p.outcome })),
      ...(control ? { control } : {}),
    },
  };
}

/** Paused processes must be in state T; resumed ones must not. */
export function verifyStopped(
  procs: readonly { node: string; pid: number }[],
  expectStopped: boolean,
): Verification {
  const states = procs.map((p) => ({
    node: p.node,
    pid: p.pid,
    state: readProcStat(p.pid)?.state ?? 'gone',
  }));
  return {
    ok: states.every((s) =>
      expectStopped ? s.state === 'T' : s.state !== 'T' && s.state !== 'gone',
    ),
    observed: { states },
  };
}
