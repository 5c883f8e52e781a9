/**
 * The SSH Remote against real sshds: the lab's hosts (network namespaces of ours, each with its
 * own sshd and host key). The Remote contract, host-key refusal (changed, unknown, pinned),
 * secrets kept out of errors and logs, and bad environments each failing in one clear line
 * within the timeout. Needs root and openssh-server; run under the cluster lock.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/control/known-hosts.js';
import { RemoteUnavailableError } from '../../src/control/remote.js';
import { SshRemote, pidDir, type SshOptions } from '../../src/control/ssh.js';
import { describeIf } from '../support/env.js';
import { LAB_SSH, labPossible, labUp } from '../support/lab.js';
import { remoteContract } from './remote-contract.js';

const describeLab = describeIf(
  labPossible('ssh'),
  'root, openssh-server and sudo (scripts/install-deps.sh)',
);
const RUN = randomBytes(3).toString('hex');
const WORK = `/tmp/fl-ssh-test-${RUN}`;

function opts(over: Partial<SshOptions> = {}): SshOptions {
  return {
    node: 'n1',
    host: LAB_SSH.host(1),
    user: 'root',
    privateKeyFile: LAB_SSH.key,
    knownHostsFile: LAB_SSH.knownHosts,
    workDir: WORK,
    connectTimeoutMs: 5_000,
    ...over,
  };
}

/** The host key line of lab host n in the lab's known_hosts. */
function hostLine(n: number): string {
  const line = readFileSync(LAB_SSH.knownHosts, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${LAB_SSH.host(n)} `));
  if (!line) throw new Error(`no known_hosts line for host ${n}`);
  return line;
}

/** Rejection message of `p`, asserting it is one line and a RemoteUnavailableError. */
async function oneLineFailure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteUnavailableError);
  const msg = (err as Error).message;
  expect(msg.split('\n')).toHaveLength(1);
  return msg;
}

describeLab('SSH Remote (lab hosts)', () => {
  let lab: ReturnType<typeof labUp> | undefined;
  let tmp: string;

  beforeAll(() => {
    lab = labUp('ssh');
    tmp = mkdtempSync(join(tmpdir(), 'fl-ssh-'));
  }, 120_000);

  afterAll(async () => {
    // No pidfile and no process of ours left on the host, then the lab goes if we made it.
    const r = new SshRemote(opts());
    try {
      expect(await r.findProcesses()).toEqual([]);
      // The lab's hosts share one filesystem: no pidfile of any node is left.
      expect(await r.exec(['sh', '-c', 'ls -A "$1" 2>/dev/null || true', 'sh', pidDir(WORK)])).toBe(
        '',
      );
      await r.exec(['rm', '-rf', WORK]);
    } finally {
      await r.close();
      rmSync(tmp, { recursive: true, force: true });
      lab?.down();
    }
    if (lab?.made) {
      // The lab went with everything in it: namespaces, sshds, their sessions.
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(
        /labssh-/,
      );
      expect(
        spawnSync('pgrep', ['-f', 'faultline-lab/ssh/hosts'], { encoding: 'utf8' }).stdout,
      ).toBe('');
    }
  }, 120_000);

  describe('contract, as root', () => {
    remoteContract(async () => ({ make: () => new SshRemote(opts()), dir: `${WORK}/contract` }));
  });

  describe('contract, as a sudo user', () => {
    remoteContract(async () => ({
      make: () =>
        new SshRemote(opts({ node: 'n2', host: LAB_SSH.host(2), user: 'fl-lab', sudo: true })),
      dir: `${WORK}/contract-sudo`,
    }));
  });

  it('runs through sudo as root, and as another user with opts.user', async () => {
    const r = new SshRemote(opts({ user: 'fl-lab', sudo: true }));
    try {
      expect((await r.exec(['id', '-u'])).trim()).toBe('0');
      expect((await r.exec(['id', '-un'], { user: 'fl-lab-nosudo' })).trim()).toBe('fl-lab-nosudo');
    } finally {
      await r.close();
    }
  });

  it('multiplexes many commands over one connection and reconnects after it drops', async () => {
    const r = new SshRemote(opts());
    try {
      const outs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          r.exec(['sh', '-c', 'echo "$1 $PPID"', 'sh', String(i)]),
        ),
      );
      expect(outs.map((o) => o.split(' ')[0])).toEqual(
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      // Kill this connection's sshd session process on the host: the next call reconnects.
      const before = (await r.exec(['sh', '-c', 'echo $PPID'])).trim();
      await r.run(['sh', '-c', 'kill -9 "$1"', 'sh', before]).catch(() => undefined);
      const after = (await r.exec(['sh', '-c', 'echo $PPID'])).trim();
      expect(after).not.toBe(before);
    } finally {
      await r.close();
    }
  });

  it('finds spawned processes by their pidfiles from a new Remote, and forgets exited ones', async () => {
    const a = new SshRemote(opts());
    const h = await a.spawn(['sleep', '1000'], {
      logFile: `${WORK}/logs/find.log`,
      label: 'find me',
    });
    await a.close();
    const b = new SshRemote(opts());
    try {
      const found = await b.findProcesses();
      expect(found).toEqual([h.ref]);
      expect(h.ref.pidfile?.startsWith(`${pidDir(WORK)}/n1-find_me-`)).toBe(true);
      await b.attach(found[0]!).signal('SIGKILL');
      await b.attach(found[0]!).wait(10_000);
      expect(await b.findProcesses()).toEqual([]);
    } finally {
      await b.close();
    }
  });

  describe('host keys', () => {
    it('refuses a changed host key, even with accept-new', async () => {
      const kh = join(tmp, 'changed_hosts');
      // n1's address listed with n2's key: what a reinstalled (or impostor) host looks like.
      writeFileSync(kh, `${LAB_SSH.host(1)} ${hostLine(2).split(' ').slice(1).join(' ')}\n`);
      for (const acceptNewHostKeys of [false, true]) {
        const r = new SshRemote(opts({ knownHostsFile: kh, acceptNewHostKeys }));
        const msg = await oneLineFailure(r.exec(['true']));
        expect(msg).toContain('HOST KEY CHANGED');
        expect(msg).toContain(`${LAB_SSH.host(1)}:22`);
        await r.close();
      }
      expect(readFileSync(kh, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    });

    it('refuses an unknown host key unless accept-new, which records it', async () => {
      const kh = join(tmp, 'empty_hosts');
      writeFileSync(kh, '');
      const refused = new SshRemote(opts({ knownHostsFile: kh }));
      const msg = await oneLineFailure(refused.exec(['true']));
      expect(msg).toMatch(/unknown host key .*10\.76\.0\.11:22/);
      expect(readFileSync(kh, 'utf8')).toBe('');

      const accepting = new SshRemote(opts({ knownHostsFile: kh, acceptNewHostKeys: true }));
      expect(await accepting.exec(['echo', 'ok'])).toBe('ok\n');
      await accepting.close();
      expect(readFileSync(kh, 'utf8').trim()).toBe(hostLine(1));
      // Now known: a strict Remote connects.
      const strict = new SshRemote(opts({ knownHostsFile: kh }));
      expect(await strict.exec(['echo', 'ok'])).toBe('ok\n');
      await strict.close();
    });

    it('accepts the pinned fingerprint and refuses another', async () => {
      const blob = Buffer.from(hostLine(1).split(' ')[2]!, 'base64');
      const { knownHostsFile: _k, ...noFile } = opts();
      const pinned = new SshRemote({ ...noFile, hostKey: fingerprintOf(blob) });
      expect(await pinned.exec(['echo', 'ok'])).toBe('ok\n');
      await pinned.close();
      const wrong = new SshRemote({ ...noFile, hostKey: fingerprintOf(Buffer.from('other')) });
      expect(await oneLineFailure(wrong.exec(['true']))).toMatch(/not the pinned SHA256:/);
    });
  });

  it('keeps key material and passphrases out of errors, logs and the object', async () => {
    const passphrase = `pass-${randomBytes(8).toString('hex')}`;
    const keyFile = join(tmp, 'enc_key');
    const kg = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', keyFile]);
    expect(kg.status).toBe(0);
    const keyText = readFileSync(keyFile, 'utf8');
    const secrets = [
      passphrase,
      ...keyText.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    ];
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const messages: string[] = [];
    // A right passphrase for a key the host does not authorize; a wrong passphrase; a password.
    for (const o of [
      { privateKeyFile: keyFile, passphrase },
      { privateKeyFile: keyFile, passphrase: `${passphrase}-wrong` },
      { privateKeyFile: keyFile, passphrase, password: passphrase },
    ]) {
      const r = new SshRemote(opts({ ...o, logger }));
      const err = await r.exec(['true']).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      messages.push(
        String((err as Error).message),
        String((err as Error).stack),
        inspect(r),
        JSON.stringify(r),
      );
      await r.close();
    }
    expect(messages[0]).toMatch(/authentication refused/);
    const all = [...messages, ...lines].join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toContain('PRIVATE KEY');
  });

  describe('bad environments: one clear line within the timeout, nothing left', () => {
    it('an unreachable host', async () => {
      const r = new SshRemote(opts({ host: '10.76.0.99', connectTimeoutMs: 1_500 }));
      const start = Date.now();
      const msg = await oneLineFailure(r.exec(['true']));
      expect(Date.now() - start).toBeLessThan(3_000);
      expect(msg).toContain('10.76.0.99:22');
      await r.close();
    });

    it('a closed port', async () => {
      const r = new SshRemote(opts({ port: 2, connectTimeoutMs: 1_500 }));
      const msg = await oneLineFailure(r.exec(['true']));
      expect(msg).toMatch(/10\.76\.0\.11:2\b.*ECONNREFUSED/);
      await r.close();
    });

    it('a refused key', async () => {
      const keyFile = join(tmp, 'other_key');
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
      const r = new SshRemote(opts({ privateKeyFile: keyFile }));
      const msg = await oneLineFailure(r.exec(['true']));
      expect(msg).toMatch(
        /root@10\.76\.0\.11:22: authentication refused \(tried key .*other_key\)/,
      );
      await r.close();
    });

    it('a missing sudo right', async () => {
      const r = new SshRemote(opts({ user: 'fl-lab-nosudo', sudo: true }));
      const msg = await oneLineFailure(r.exec(['id']));
      expect(msg).toMatch(/fl-lab-nosudo cannot run sudo without a password.*NOPASSWD/);
      // Nothing was started on the host on its behalf.
      const check = new SshRemote(opts());
      expect(await check.findProcesses()).toEqual([]);
      await check.close();
      await r.close();
    });

    it('a missing key file', async () => {
      const r = new SshRemote(opts({ privateKeyFile: join(tmp, 'nope') }));
      expect(await oneLineFailure(r.exec(['true']))).toMatch(
        /cannot read private key file .*nope \(ENOENT\)/,
      );
    });
  });
});
