/**
 * The Docker Remote against a real dockerd (the lab's engine, with the lab's imported etcd
 * image): the Remote contract in a container, the container's own lifecycle (main process,
 * pause, stop/start, logs), its network namespace entered from the host by pid, and bad
 * environments (no engine at the socket, a missing image, a container that is gone) each one
 * clear line. Needs root and docker.io; run under the cluster lock.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRemote, connectEngine, requireImage } from '../../src/control/docker.js';
import { RemoteUnavailableError } from '../../src/control/remote.js';
import { describeIf } from '../support/env.js';
import { LAB_DOCKER, labPossible, labUp } from '../support/lab.js';
import { waitUntil } from '../support/wait.js';
import { remoteContract } from './remote-contract.js';

const describeLab = describeIf(
  labPossible('docker'),
  'root and docker.io (scripts/install-deps.sh)',
);
const RUN = randomBytes(3).toString('hex');
const LABEL = { 'faultline.test': RUN };

describeLab('Docker Remote (lab engine)', () => {
  let lab: ReturnType<typeof labUp> | undefined;
  let docker: Docker;
  let network: Docker.Network;
  const subnet = `10.79.${1 + (parseInt(RUN, 16) % 250)}`;

  async function container(name: string, cmd: string[]): Promise<DockerRemote> {
    const c = await docker.createContainer({
      name,
      Image: LAB_DOCKER.image,
      Cmd: cmd,
      Labels: LABEL,
      HostConfig: { NetworkMode: `fltest-${RUN}` },
      NetworkingConfig: { EndpointsConfig: { [`fltest-${RUN}`]: {} } },
    });
    await c.start();
    return new DockerRemote({ node: name, container: name, socketPath: LAB_DOCKER.socket, docker });
  }

  beforeAll(async () => {
    lab = labUp('docker');
    docker = await connectEngine(LAB_DOCKER.socket);
    network = await docker.createNetwork({
      Name: `fltest-${RUN}`,
      Driver: 'bridge',
      Labels: LABEL,
      IPAM: { Config: [{ Subnet: `${subnet}.0/24`, Gateway: `${subnet}.1` }] },
    });
  }, 180_000);

  afterAll(async () => {
    try {
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`faultline.test=${RUN}`] },
      });
      for (const c of left) await docker.getContainer(c.Id).remove({ force: true });
      await network?.remove();
      // Nothing of this run is left in the engine.
      expect(
        await docker.listContainers({ all: true, filters: { label: [`faultline.test=${RUN}`] } }),
      ).toEqual([]);
      expect(await docker.listNetworks({ filters: { label: [`faultline.test=${RUN}`] } })).toEqual(
        [],
      );
    } finally {
      lab?.down();
    }
    if (lab?.made) {
      const s = spawnSync('bash', ['scripts/lab.sh', 'status', 'docker'], { encoding: 'utf8' });
      expect(s.status).toBe(1);
    }
  }, 120_000);

  describe('contract, in a container', () => {
    remoteContract(async () => {
      await container(`fltest-${RUN}-c`, ['sleep', '100000']);
      return {
        make: () =>
          new DockerRemote({
            node: `fltest-${RUN}-c`,
            container: `fltest-${RUN}-c`,
            socketPath: LAB_DOCKER.socket,
          }),
        dir: '/tmp/contract',
      };
    });
  });

  it('the main process: state through pause, its exit status, logs, stop and start', async () => {
    const r = await container(`fltest-${RUN}-main`, [
      'sh',
      '-c',
      'echo main-started; trap "echo got-term; exit 7" TERM; while :; do sleep 0.1; done',
    ]);
    const main = await r.mainProcess();
    expect(main.ref.container).toMatch(/^[0-9a-f]{64}$/);
    expect(await main.state()).toBe('running');
    await r.pause();
    expect(await main.state()).toBe('stopped');
    expect((await r.inspect()).paused).toBe(true);
    await r.unpause();
    expect(await main.state()).toBe('running');
    await waitUntil('the log line', async () => (await r.logs()).includes('main-started'));
    await main.signal('SIGTERM');
    expect(await main.wait(10_000)).toEqual({ code: 7, signal: null });
    expect(await main.state()).toBe('exited');
    expect(await r.logs({ tail: 1 })).toContain('got-term');
    await r.start();
    const again = await r.mainProcess();
    expect(again.ref.pid).not.toBe(main.ref.pid);
    expect(await again.state()).toBe('running');
    await r.stop(0);
    expect(await again.state()).toBe('exited');
  });

  it('enters the container network namespace from the host by pid', async () => {
    const r = await container(`fltest-${RUN}-net`, ['sleep', '100000']);
    const info = await r.inspect();
    const ip = info.ips[`fltest-${RUN}`];
    expect(ip).toMatch(new RegExp(`^${subnet.replace(/\./g, '\\.')}\\.`));
    const argv = await r.netnsArgv(['ip', '-o', '-4', 'addr', 'show']);
    const out = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`${ip}/24`);
    // And it is not this machine's namespace.
    expect(
      spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).stdout,
    ).not.toContain(`${ip}/24`);
  });

  describe('bad environments: one clear line within the timeout', () => {
    it('no engine at the socket', async () => {
      const sock = `/tmp/fl-no-engine-${RUN}.sock`;
      const start = Date.now();
      const err = await connectEngine(sock, 2_000).then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(Date.now() - start).toBeLessThan(3_000);
      expect(err).toBeInstanceOf(RemoteUnavailableError);
      expect(err.message.split('\n')).toHaveLength(1);
      expect(err.message).toContain(`unix://${sock}`);
      expect(err.message).toContain('scripts/lab.sh up docker');
      const viaRemote = await new DockerRemote({ node: 'n1', container: 'x', socketPath: sock })
        .run(['true'])
        .then(
          () => new Error('resolved'),
          (e: unknown) => e as Error,
        );
      expect(viaRemote.message).toMatch(
        /^n1: no Docker engine at unix:\/\/.*scripts\/lab\.sh up docker/,
      );
    });

    it('a missing image', async () => {
      const err = await requireImage(docker, `faultline-lab/nope-${RUN}:1`, LAB_DOCKER.socket).then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(RemoteUnavailableError);
      expect(err.message.split('\n')).toHaveLength(1);
      expect(err.message).toContain(`faultline-lab/nope-${RUN}:1`);
      expect(err.message).toContain('scripts/lab.sh up docker');
      await expect(
        requireImage(docker, LAB_DOCKER.image, LAB_DOCKER.socket),
      ).resolves.toBeUndefined();
    });

    it('a container that is gone', async () => {
      const r = new DockerRemote({
        node: 'n9',
        container: `fltest-${RUN}-gone`,
        socketPath: LAB_DOCKER.socket,
      });
      const err = await r.run(['true']).then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(RemoteUnavailableError);
      expect(err.message).toMatch(/^n9: .*No such container/);
      expect(err.message.split('\n')).toHaveLength(1);
    });
  });
});
