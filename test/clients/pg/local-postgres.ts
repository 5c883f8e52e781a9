/**
 * Test helper: a real PostgreSQL 15 on 127.0.0.1 with a random free port and a temp data dir,
 * started through the cluster driver (so the driver is exercised too) and removed afterwards.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startPostgres,
  stopPostgres,
  waitPostgresHealthy,
  type PostgresNodeConfig,
  type PostgresProcess,
} from '../../../src/system/postgres.js';
import type { PgTarget } from '../../../src/clients/pg/connection.js';
import { freePort } from '../../support/ports.js';

export interface LocalPostgres {
  dir: string;
  cfg: PostgresNodeConfig;
  proc: PostgresProcess;
  target: PgTarget;
  /** Kills the server group and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalPostgres(name = 'n1'): Promise<LocalPostgres> {
  const dir = await mkdtemp(join(tmpdir(), `faultline-pg-${process.pid}-`));
  // mkdtemp makes 0700 dirs; the postgres OS user must be able to reach its data dir inside.
  await chmod(dir, 0o755);
  const port = await freePort();
  const cfg: PostgresNodeConfig = { name, host: '127.0.0.1', port, dataDir: join(dir, 'data') };
  let proc: PostgresProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (proc) await stopPostgres(proc, { removeDataDir: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    proc = await startPostgres(cfg, { logFile: join(dir, `${name}.log`) });
    await waitPostgresHealthy(proc, { host: cfg.host, port }, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, cfg, proc, target: { host: cfg.host, port, node: name }, stop };
}
