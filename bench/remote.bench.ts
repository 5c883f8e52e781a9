/**
 * What a command costs on each backend (npm run bench:remote, as root, under the cluster lock):
 * the same calls through a local network namespace (`ip netns exec`, the netns baseline), an SSH
 * Remote (one multiplexed connection) and a Docker Remote (docker exec), on the local lab
 * (scripts/lab.sh, brought up and down by this bench if it is not up). Ratios against netns are
 * what to compare; absolute times depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DockerRemote, connectEngine } from '../src/control/docker.js';
import type { Remote } from '../src/control/remote.js';
import { SshRemote } from '../src/control/ssh.js';
import { LAB_DOCKER, LAB_SSH, labUp } from '../test/support/lab.js';

const N = Number(process.env.BENCH_N ?? 40);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface Row {
  backend: string;
  connectMs: number;
  execMs: number;
  parallel20Ms: number;
  spawnCycleMs: number;
}

async function measure(
  backend: string,
  make: () => Remote,
  exec: (r: Remote) => Promise<unknown>,
): Promise<Row> {
  const r = make();
  const connectMs = await time(() => exec(r));
  const execs: number[] = [];
  for (let i = 0; i < N; i++) execs.push(await time(() => exec(r)));
  const parallel20Ms = await time(() => Promise.all(Array.from({ length: 20 }, () => exec(r))));
  const cycles: number[] = [];
  for (let i = 0; i < Math.min(N, 10); i++) {
    cycles.push(
      await time(async () => {
        const h = await r.spawn(['sleep', '1000'], {
          logFile: '/tmp/fl-bench/sleep.log',
          label: 'bench',
        });
        await h.state();
        await h.signal('SIGKILL');
        await h.wait(10_000);
      }),
    );
  }
  await r.close();
  return { backend, connectMs, execMs: median(execs), parallel20Ms, spawnCycleMs: median(cycles) };
}

/** The netns baseline: `ip netns exec` in the lab's first host namespace, through a Remote-shaped shim. */
function netnsShim(): Remote {
  const run = (argv: readonly string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', 'labssh-n1', ...argv], { encoding: 'utf8' });
    return Promise.resolve({
      code: r.status,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
    });
  };
  return {
    node: 'n1',
    kind: 'netns',
    run,
    exec: async (argv) => (await run(argv)).stdout,
    spawn: () => Promise.reject(new Error('not measured')),
    attach: () => {
      throw new Error('not measured');
    },
    upload: () => Promise.reject(new Error('not measured')),
    download: () => Promise.reject(new Error('not measured')),
    close: () => Promise.resolve(),
  };
}

const ssh = labUp('ssh');
const docker = labUp('docker');
const engine = await connectEngine(LAB_DOCKER.socket);
const name = `fl-bench-${process.pid}`;
const container = await engine.createContainer({
  name,
  Image: LAB_DOCKER.image,
  Cmd: ['sleep', '100000'],
  Labels: { 'faultline.lab': '1' },
  HostConfig: { NetworkMode: 'none' },
});
await container.start();
const rows: Row[] = [];
try {
  const shim = netnsShim();
  const base: number[] = [];
  for (let i = 0; i < N; i++) base.push(await time(() => shim.exec(['true'])));
  rows.push({
    backend: 'netns',
    connectMs: 0,
    execMs: median(base),
    parallel20Ms: NaN,
    spawnCycleMs: NaN,
  });
  rows.push(
    await measure(
      'ssh',
      () =>
        new SshRemote({
          node: 'n1',
          host: LAB_SSH.host(1),
          user: 'root',
          privateKeyFile: LAB_SSH.key,
          knownHostsFile: LAB_SSH.knownHosts,
          workDir: '/tmp/fl-bench',
        }),
      (r) => r.exec(['true']),
    ),
  );
  rows.push(
    await measure(
      'docker',
      () => new DockerRemote({ node: 'n1', container: name, socketPath: LAB_DOCKER.socket }),
      (r) => r.exec(['true']),
    ),
  );
} finally {
  await container.remove({ force: true });
  spawnSync('rm', ['-rf', '/tmp/fl-bench']);
  docker.down();
  ssh.down();
}
const netns = rows[0]!.execMs;
console.log(`remote bench (N=${N}, medians; ratio = exec time / netns exec time)`);
for (const r of rows) {
  console.log(
    `${r.backend.padEnd(7)} first call (connect) ${r.connectMs.toFixed(1).padStart(7)} ms  exec ${r.execMs
      .toFixed(1)
      .padStart(
        6,
      )} ms (x${(r.execMs / netns).toFixed(2)})  20 parallel ${r.parallel20Ms.toFixed(1).padStart(7)} ms  spawn+state+kill+wait ${r.spawnCycleMs.toFixed(1).padStart(7)} ms`,
  );
}
