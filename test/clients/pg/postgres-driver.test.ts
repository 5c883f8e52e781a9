/**
 * The PostgreSQL cluster driver against a real server on loopback, started from the very start
 * template in clusters/postgres.json (filled as the cluster layer fills it), then driven through
 * the faults the cluster applies generically: kill (SIGKILL to the started pid) and restart,
 * pause (SIGSTOP/SIGCONT), amnesia (wipe the data dir, restart).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { fillTemplate } from '../../../src/definition.js';
import {
  PostgresDriver,
  PostgresDriverError,
  postgresPids,
  signalPostgres,
  startPostgres,
  stopPostgres,
  type PostgresProcess,
} from '../../../src/system/postgres.js';
import type { NodeState } from '../../../src/cluster/state.js';
import { freePort } from '../../support/ports.js';
import { waitUntil } from '../../support/wait.js';
import { describeAsRoot } from '../../support/env.js';

interface Template {
  command: string;
  args: string[];
}

/** Whether any of the pids is a live (non-zombie) process. */
const anyAlive = async (pids: number[]) =>
  (
    await Promise.all(
      pids.map((p) =>
        readFile(`/proc/${p}/stat`, 'utf8').then(
          (s) => !/\) Z /.test(s),
          () => false,
        ),
      ),
    )
  ).some(Boolean);

describeAsRoot('PostgresDriver on a real server from clusters/postgres.json', () => {
  const driver = new PostgresDriver();
  let dir: string;
  let node: NodeState;
  let template: Template;
  let current: PostgresProcess | undefined;

  /** What Cluster.startNode does, minus the namespace: fill the template, spawn detached. */
  async function startMember(): Promise<PostgresProcess> {
    const vars = {
      dataDir: node.dataDir,
      ip: node.ip,
      clientPort: Number(new URL(node.clientUrl).port),
    };
    const argv = [template.command, ...template.args].map((a) => fillTemplate(a, vars));
    const log = await open(node.logFile, 'a');
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.once('exit', (code, signal) => res({ code, signal })),
    );
    await new Promise<void>((res, rej) => {
      child.once('spawn', res);
      child.once('error', rej);
    });
    await log.close();
    const proc: PostgresProcess = {
      cfg: { name: node.name, host: node.ip, dataDir: node.dataDir },
      pid: child.pid!,
      child,
      exited,
      logFile: node.logFile,
    };
    current = proc;
    await waitUntil('member healthy', () => driver.isHealthy(node, 1000), { timeoutMs: 60_000 });
    return proc;
  }

  const query = async (text: string) => {
    const c = new pg.Client({
      connectionString: node.clientUrl,
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
    });
    await c.connect();
    try {
      return (await c.query(text)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `faultline-pgdrv-${process.pid}-`));
    await chmod(dir, 0o755);
    const def = JSON.parse(await readFile('clusters/postgres.json', 'utf8')) as {
      start: Template;
      clientEndpoint: string;
    };
    template = def.start;
    const port = await freePort();
    node = {
      name: 'n1',
      ip: '127.0.0.1',
      dataDir: join(dir, 'data', 'n1'),
      logFile: join(dir, 'logs', 'n1.log'),
      clientUrl: fillTemplate(def.clientEndpoint, { ip: '127.0.0.1', clientPort: port }),
      peerUrl: '',
    };
    await mkdir(join(dir, 'logs'), { recursive: true });
    // The cluster creates the data dir as root before starting: the script must take it over.
    await mkdir(node.dataDir, { recursive: true });
  });

  afterAll(async () => {
    try {
      if (current) await stopPostgres(current);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts (initdb on first start), reports status, survives kill + restart with its data', async () => {
    const first = await startMember();
    const st = await driver.status(node, [node]);
    expect(st).toMatchObject({ node: 'n1', leader: 'n1', term: 1 });
    expect(st.revision).toBeGreaterThan(0);
    expect(await driver.primaries([node])).toEqual(['n1']);

    const before = await driver.kvHash(node, st.revision);
    expect((await driver.kvHash(node, st.revision)).hash).toBe(before.hash);
    await query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    const after = await driver.kvHash(node, st.revision);
    expect(after.hash).not.toBe(before.hash);

    // The cluster's kill fault: SIGKILL to the started pid only. Backends notice and exit.
    const pids = await postgresPids(first);
    expect(pids.length).toBeGreaterThan(1);
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    expect(await driver.isHealthy(node, 500)).toBe(false);
    // A restart is refused while an old backend still holds shared memory: wait for them all.
    await waitUntil('orphaned backends to exit', async () => !(await anyAlive(pids)), {
      timeoutMs: 30_000,
    });

    await startMember();
    expect(await query('SELECT v FROM kept')).toEqual([{ v: 42 }]);
    expect((await driver.kvHash(node, 0)).hash).toBe(after.hash);
    const log = await readFile(node.logFile, 'utf8');
    expect(log.match(/faultline: initdb/g)).toHaveLength(1);
  });

  it('pause: stopping the process tree makes it unhealthy; SIGCONT brings it back', async () => {
    const proc = current!;
    // An open connection, which only a tree-wide SIGSTOP freezes (backends have their own session).
    const c = new pg.Client({ connectionString: node.clientUrl, query_timeout: 500 });
    c.on('error', () => {});
    await c.connect();
    try {
      await signalPostgres(proc, 'SIGSTOP');
      try {
        expect(await driver.isHealthy(node, 500)).toBe(false);
        await expect(c.query('SELECT 1')).rejects.toThrow(/timeout/i);
      } finally {
        await signalPostgres(proc, 'SIGCONT');
      }
      await waitUntil('healthy after SIGCONT', () => driver.isHealthy(node, 1000), {
        timeoutMs: 30_000,
      });
    } finally {
      c.connection.stream.destroy();
    }
  });

  it('amnesia: wipe the data dir and restart gives a fresh, empty primary', async () => {
    await stopPostgres(current!);
    current = undefined;
    await rm(node.dataDir, { recursive: true, force: true });
    await mkdir(node.dataDir, { recursive: true });
    await startMember();
    expect(
      await query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'`),
    ).toEqual([{ n: 0 }]);
    expect((await readFile(node.logFile, 'utf8')).match(/faultline: initdb/g)).toHaveLength(2);
  });

  it('a data dir the postgres user cannot reach is a clear error, not a hang', async () => {
    const locked = await mkdtemp(join(tmpdir(), `faultline-pglocked-${process.pid}-`)); // 0700
    try {
      const err = await startPostgres(
        { name: 'n9', host: '127.0.0.1', port: await freePort(), dataDir: join(locked, 'data') },
        { logFile: join(locked, 'n9.log') },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PostgresDriverError);
      expect((err as PostgresDriverError).userMessage).toMatch(
        /^postgres node n9: directory .* not searchable/,
      );
    } finally {
      await rm(locked, { recursive: true, force: true });
    }
  });
});
