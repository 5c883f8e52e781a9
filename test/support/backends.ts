/**
 * The backends the acceptance suites run over, so one suite covers netns, ssh and docker instead
 * of three copies. netns runs wherever root does; ssh and docker run when their lab is up
 * (`scripts/lab.sh up ssh|docker`) and they are named in FAULTLINE_BACKENDS (default "netns");
 * a named backend that cannot run fails under CI (describeIf) instead of passing silently.
 */
import { join } from 'node:path';
import { listLinks, listNetns } from '../../src/placement/netns/network.js';
import { allPlacementBackends } from '../../src/placement/index.js';
import type { Backend, PlacementRecord } from '../../src/placement/placement.js';
import { asRoot, describeIf } from './env.js';
import { REPO } from './repo.js';

export interface BackendCase {
  backend: Backend;
  /** The shipped definition of a cluster shape on this backend. */
  definitionFile(shape: 'etcd-3' | 'etcd-5'): string;
  ready: boolean;
  why: string;
  /** What is left of a torn-down cluster's placement (empty = no residue). */
  residue(record: PlacementRecord): Promise<string[]>;
}

const FILES: Record<Backend, Partial<Record<'etcd-3' | 'etcd-5', string>>> = {
  netns: { 'etcd-3': 'clusters/etcd-3.json', 'etcd-5': 'clusters/etcd-5.json' },
  ssh: { 'etcd-5': 'clusters/etcd-5-ssh.json' },
  docker: { 'etcd-5': 'clusters/etcd-5-docker.json' },
};

async function netnsResidue(record: PlacementRecord): Promise<string[]> {
  const names = new Set<string>([
    String(record.resources.bridge),
    ...record.nodes.flatMap((n) => [String(n.where.netns), String(n.where.vethHost)]),
  ]);
  const left = [...(await listNetns()), ...(await listLinks())].filter((x) => names.has(x));
  return left;
}

function backendCase(backend: Backend): BackendCase {
  const named = (process.env.FAULTLINE_BACKENDS ?? 'netns').split(',').includes(backend);
  const built = allPlacementBackends().some((b) => b.backend === backend);
  const ready = asRoot && named && built;
  return {
    backend,
    definitionFile(shape) {
      const f = FILES[backend][shape];
      if (!f) throw new Error(`no shipped ${shape} definition for backend ${backend}`);
      return join(REPO, f);
    },
    ready,
    why: !asRoot
      ? 'root'
      : !built
        ? `the ${backend} placement in this build`
        : `FAULTLINE_BACKENDS to name ${backend} (and scripts/lab.sh up ${backend})`,
    residue:
      backend === 'netns'
        ? netnsResidue
        : async () => {
            throw new Error(`residue check for backend ${backend}: not built yet`);
          },
  };
}

export const BACKENDS: readonly Backend[] = ['netns', 'ssh', 'docker'];

/**
 * `describe(name [backend], body)` once per backend that FAULTLINE_BACKENDS names (default
 * netns) or that is ready; a named backend that cannot run is skipped locally and fails under CI.
 */
export function describeEachBackend(name: string, body: (b: BackendCase) => void): void {
  for (const backend of BACKENDS) {
    const b = backendCase(backend);
    const named = (process.env.FAULTLINE_BACKENDS ?? 'netns').split(',').includes(backend);
    // A backend nobody asked for is not a row at all (no skipped tests that read as coverage);
    // one that FAULTLINE_BACKENDS names runs, or fails under CI when it cannot.
    if (!b.ready && !named) continue;
    describeIf(b.ready, b.why)(`${name} [${backend}]`, () => body(b));
  }
}
