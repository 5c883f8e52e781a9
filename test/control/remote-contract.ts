/**
 * The Remote contract (src/control/remote.ts) as one suite every backend runs: argv literalness,
 * run/exec results, stdin/env/cwd, timeouts that kill, spawn + state + signal + wait, attach from
 * a fresh Remote after a "crash", and file transfer. The node needs a POSIX `sh` and busybox-level
 * tools (printf, cat, sleep, kill, stat).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  RemoteCommandError,
  RemoteUnavailableError,
  type Remote,
} from '../../src/control/remote.js';
import { waitUntil } from '../support/wait.js';

export interface ContractTarget {
  /** A new Remote for the same node each call (a fresh one stands for a restarted Faultline). */
  make(): Remote;
  /** A scratch directory on the node, absolute, removed by the suite. */
  dir: string;
}

const WEIRD = [
  'a b',
  '$(touch /tmp/fl-pwned)',
  "it's",
  '"quoted"',
  ';',
  '|',
  '&&',
  '`id`',
  '*',
  '~',
  '\\',
  'new\nline',
  '',
  '-n',
  '$HOME',
];

export function remoteContract(setup: () => Promise<ContractTarget>): void {
  let t: ContractTarget;
  let remote: Remote;
  let local: string;

  beforeAll(async () => {
    t = await setup();
    remote = t.make();
    local = mkdtempSync(join(tmpdir(), 'fl-contract-'));
    await remote.exec(['mkdir', '-p', t.dir]);
  });

  afterAll(async () => {
    if (remote) {
      // Once seen under load: the SSH channel of this cleanup closed without an exit status
      // (RemoteUnavailableError). The Remote reconnects on the next call, so one retry.
      await remote
        .exec(['rm', '-rf', t.dir])
        .catch((err: unknown) =>
          err instanceof RemoteUnavailableError
            ? remote.exec(['rm', '-rf', t.dir])
            : Promise.reject(err),
        );
      await remote.close();
    }
    rmSync(local, { recursive: true, force: true });
  });

  it('passes every argument literally (shell metacharacters included)', async () => {
    const script = 'for a; do printf "<%s>" "$a"; done';
    const out = await remote.exec(['sh', '-c', script, 'sh', ...WEIRD]);
    expect(out).toBe(WEIRD.map((a) => `<${a}>`).join(''));
    const pwned = await remote.run(['test', '-e', '/tmp/fl-pwned']);
    expect(pwned.code).toBe(1);
  });

  it('run resolves with a failing exit; exec rejects naming the node', async () => {
    const r = await remote.run(['sh', '-c', 'echo oops >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stderr: 'oops\n' });
    const err = await remote.exec(['sh', '-c', 'exit 4']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect((err as Error).message).toContain(remote.node);
  });

  it('feeds stdin, sets env and cwd', async () => {
    const r = await remote.run(['sh', '-c', 'cat; printf "|%s|" "$FL_X"; pwd'], {
      stdin: 'in\n',
      env: { FL_X: 'a b;$(c)' },
      cwd: t.dir,
    });
    expect(r.stdout).toBe(`in\n|a b;$(c)|${t.dir}\n`);
    // Without stdin the command sees end-of-file, not a hang.
    expect(await remote.exec(['cat'], { timeoutMs: 5_000 })).toBe('');
  });

  it('kills a command at its timeout', async () => {
    const pidFile = `${t.dir}/timeout.pid`;
    const start = Date.now();
    const r = await remote.run(['sh', '-c', 'echo $$ > "$1"; exec sleep 30', 'sh', pidFile], {
      timeoutMs: 500,
    });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - start).toBeLessThan(5_000);
    const pid = (await remote.exec(['cat', pidFile])).trim();
    await waitUntil('the timed-out command to be gone', async () => {
      const alive = await remote.run(['kill', '-0', pid]);
      return alive.code !== 0;
    });
  });

  it('spawns a process: state, signals, wait, log file', async () => {
    const logFile = `${t.dir}/logs/sleeper.log`;
    const h = await remote.spawn(['sh', '-c', 'echo hello-log; exec sleep 1000'], {
      logFile,
      label: 'sleeper',
    });
    expect(h.ref.node).toBe(remote.node);
    expect(h.ref.backend).toBe(remote.kind);
    expect(await h.state()).toBe('running');
    await h.signal('SIGSTOP');
    await waitUntil('stopped', async () => (await h.state()) === 'stopped');
    await h.signal('SIGCONT');
    await waitUntil('running again', async () => (await h.state()) === 'running');
    await h.signal('SIGTERM');
    await h.wait(10_000);
    expect(await h.state()).toBe('exited');
    await waitUntil('the log line', async () => {
      await remote.download(logFile, join(local, 'sleeper.log'));
      return readFileSync(join(local, 'sleeper.log'), 'utf8').includes('hello-log');
    });
    // A handle of an exited process stays usable: signals are no-ops.
    await h.signal('SIGKILL');
  });

  it('attaches to a process from a fresh Remote after a crash', async () => {
    const h = await remote.spawn(['sleep', '1000'], {
      logFile: `${t.dir}/logs/attach.log`,
      label: 'attach',
    });
    const ref = JSON.parse(JSON.stringify(h.ref)) as typeof h.ref;
    const fresh = t.make();
    try {
      const again = fresh.attach(ref);
      expect(await again.state()).toBe('running');
      await again.signal('SIGKILL', { tree: true });
      await again.wait(10_000);
      expect(await again.state()).toBe('exited');
      expect(await h.state()).toBe('exited');
    } finally {
      await fresh.close();
    }
  });

  it('a wait past its deadline rejects', async () => {
    const h = await remote.spawn(['sleep', '1000'], {
      logFile: `${t.dir}/logs/deadline.log`,
      label: 'deadline',
    });
    await expect(h.wait(300)).rejects.toThrow(/timed out/);
    await h.signal('SIGKILL');
    await h.wait(10_000);
  });

  it('uploads and downloads bytes, with a mode', async () => {
    const data = randomBytes(70_000);
    const path = `${t.dir}/sub/dir/blob.bin`;
    await remote.upload(data, path, { mode: 0o640 });
    expect((await remote.exec(['stat', '-c', '%a %s', path])).trim()).toBe(`640 ${data.length}`);
    await remote.download(path, join(local, 'blob.bin'));
    expect(readFileSync(join(local, 'blob.bin')).equals(data)).toBe(true);
  });
}
