/**
 * A single etcd member on 127.0.0.1 with free ports and a temporary data directory: for client
 * and executor tests and for the executor benchmark. (Real multi-node clusters with faults live
 * in src/cluster.) Stopped with SIGKILL: SIGTERM makes etcd spend seconds on leadership transfer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { freePort } from './ports.js';

export interface LocalEtcd {
  name: string;
  url: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** SIGKILL, wait for exit, remove the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalEtcdOptions {
  binary?: string;
  name?: string;
  /** How long to wait for /health to report true. Default 20 s. */
  startTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls until `ok` says yes or the deadline passes; an error thrown by `ok` ends the wait. */
export async function waitFor(
  what: string,
  ok: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false; // not listening yet
  }
}

export async function startLocalEtcd(opts: LocalEtcdOptions = {}): Promise<LocalEtcd> {
  const binary = opts.binary ?? '/usr/bin/etcd';
  const name = opts.name ?? 'n1';
  const dataDir = await mkdtemp(join(tmpdir(), `faultline-etcd-${process.pid}-`));
  const logFile = join(dataDir, 'etcd.log');
  // Another process may grab a port between freePort() and etcd's bind; retry with new ones.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(
      binary,
      [
        `--name=${name}`,
        `--data-dir=${join(dataDir, `data-${attempt}`)}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${name}=${peer}`,
        `--initial-cluster-state=new`,
        '--logger=zap',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    let stopped = false;
    const stop = async () => {
      if (!stopped) {
        stopped = true;
        child.kill('SIGKILL');
        await exited(child);
        log.end();
        await rm(dataDir, { recursive: true, force: true });
      }
    };
    try {
      await waitFor(
        `etcd ${name} at ${url} to be healthy (log: ${logFile})`,
        async () => {
          if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}`);
          return healthy(url);
        },
        opts.startTimeoutMs ?? 20_000,
      );
      if (child.exitCode !== null || child.pid === undefined)
        throw new Error(`etcd exited (log: ${logFile})`);
      return { name, url, pid: child.pid, dataDir, logFile, stop };
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      await exited(child);
      log.end();
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}
