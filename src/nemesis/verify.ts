/**
 * Checking that a fault took effect (and that a heal undid it), recording what was seen. A fault
 * whose effect cannot be observed says so (`ok: 'unverifiable'`) instead of claiming success.
 * Every observation goes through the nodes' Remotes (probes from the node, process states).
 */
import type { JsonValue } from '../history/op.js';
import type { ProcessRef } from '../control/remote.js';
import type { NemesisCluster } from './cluster-port.js';
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
 * which would answer from inside the source node and hide the partition.
 */
export async function verifyCuts(
  cluster: NemesisCluster,
  cuts: readonly Cut[],
  expect: 'blocked' | 'open',
): Promise<Verification> {
  const port = cluster.definition.ports.client;
  const probe = (from: string, to: string) =>
    tcpProbe(cluster.remote(from), cluster.node(to).ip, port, 1000);
  const probes = await Promise.all(
    cuts.map(async (c) => ({ from: c.from, to: c.to, outcome: await probe(c.from, c.to) })),
  );
  const bad = probes.filter((p) =>
    expect === 'blocked' ? p.outcome !== 'timeout' : p.outcome === 'timeout',
  );
  let control: { from: string; to: string; outcome: ProbeOutcome } | undefined;
  if (expect === 'blocked') {
    const cutSet = new Set(cuts.map((c) => `${c.from}>${c.to}`));
    const names = cluster.nodes.map((n) => n.name);
    const candidates = names
      .flatMap((a) => names.map((b) => [a, b] as const))
      .filter(([a, b]) => a !== b && !cutSet.has(`${a}>${b}`));
    for (const [a, b] of candidates) {
      if (!(await cluster.isRunning(b))) continue;
      control = { from: a, to: b, outcome: await probe(a, b) };
      break;
    }
  }
  return {
    ok: bad.length === 0 && (!control || control.outcome === 'connected'),
    observed: {
      probe: `tcp connect to client port ${port} from the source node`,
      expect,
      pairs: probes.map((p) => ({ from: p.from, to: p.to, outcome: p.outcome })),
      ...(control ? { control } : {}),
    },
  };
}

/** Paused processes must be seen stopped; resumed ones running. */
export async function verifyStopped(
  cluster: NemesisCluster,
  procs: readonly ProcessRef[],
  expectStopped: boolean,
): Promise<Verification> {
  const states = await Promise.all(
    procs.map(async (p) => {
      const st = await cluster.remote(p.node).attach(p).state();
      return { node: p.node, pid: p.pid, state: st === 'exited' ? 'gone' : st };
    }),
  );
  return {
    ok: states.every((s) => (expectStopped ? s.state === 'stopped' : s.state === 'running')),
    observed: { states },
  };
}
