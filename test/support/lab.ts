/**
 * The local lab (scripts/lab.sh) for tests of the SSH and Docker backends: brought up when it is
 * not already, and taken down again by the test that brought it up. Run such tests under the
 * machine's cluster lock (flock /tmp/faultline-cluster.lock npx vitest run ...).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { asRoot, hasBinary } from './env.js';
import { REPO } from './repo.js';

export type LabKind = 'ssh' | 'docker';

export const LAB_DIR = process.env.FAULTLINE_LAB ?? '/run/faultline-lab';
export const LAB_SSH = {
  dir: join(LAB_DIR, 'ssh'),
  key: join(LAB_DIR, 'ssh', 'client_key'),
  knownHosts: join(LAB_DIR, 'ssh', 'known_hosts'),
  /** Host address of lab node n (1..5). */
  host: (n: number) => `10.76.0.1${n}`,
};
export const LAB_DOCKER = {
  socket: join(LAB_DIR, 'docker', 'docker.sock'),
  image: 'faultline-lab/etcd:latest',
};

/** Whether this machine can run the lab of `kind` (root and the binaries). */
export function labPossible(kind: LabKind): boolean {
  if (!asRoot) return false;
  return kind === 'ssh'
    ? hasBinary('/usr/sbin/sshd') && hasBinary('sudo') && hasBinary('ssh-keygen')
    : hasBinary('dockerd') && hasBinary('docker') && hasBinary('busybox');
}

function lab(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('bash', [join(REPO, 'scripts', 'lab.sh'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Brings the lab up if it is not; `down` takes it down again if this call made it. */
export function labUp(kind: LabKind): { made: boolean; down: () => void } {
  if (lab('status', kind).status === 0) return { made: false, down: () => undefined };
  const up = lab('up', kind);
  if (up.status !== 0) throw new Error(`scripts/lab.sh up ${kind} failed: ${up.out}`);
  return {
    made: true,
    down: () => {
      const down = lab('down', kind);
      if (down.status !== 0) throw new Error(`scripts/lab.sh down ${kind} failed: ${down.out}`);
    },
  };
}
