import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { leakCheck } from '../../src/resources/leak.js';
import { parseProc, readLocalProc } from '../../src/resources/proc.js';
import { leakFindings, type NodeTrialResources } from '../../src/resources/soak-leaks.js';

/**
 * A small server of ours: each request line makes it allocate 4 MiB of touched memory, which
 * it keeps (`leak`) or drops (`steady`), then answers `ok`.
 */
const SERVER = `
const keep = [];
const leak = process.argv[1] === 'leak';
require('readline').createInterface({ input: process.stdin }).on('line', () => {
  const b = Buffer.alloc(4 << 20, 1);
  if (leak) keep.push(b);
  if (!leak && globalThis.gc) globalThis.gc();
  process.stdout.write('ok\\n');
});
process.stdout.write('ready\\n');
`;

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function soak(mode: 'leak' | 'steady', trials: number): Promise<NodeTrialResources[]> {
  const child = spawn(process.execPath, ['--expose-gc', '-e', SERVER, mode]);
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('ready');
  const points: NodeTrialResources[] = [];
  for (let trial = 0; trial < trials; trial++) {
    // One short "trial": a few requests, then the node's resources at its end.
    for (let i = 0; i < 2; i++) {
      child.stdin.write('req\n');
      expect((await lines.next()).value).toBe('ok');
    }
    const r = readLocalProc(child.pid!);
    expect(r).not.toBeNull();
    points.push({ trial, node: mode, rssBytes: r!.rssBytes, openFds: r!.openFds });
  }
  return points;
}

describe('node resources and the soak leak check', () => {
  it('parses /proc stat and status', () => {
    const stat =
      '4242 (etcd (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 123456 0 0';
    const status = 'Name:\tetcd\nVmRSS:\t   20480 kB\nThreads:\t9\n';
    expect(parseProc(stat, status, 17)).toEqual({
      rssBytes: 20480 * 1024,
      cpuSeconds: 3,
      openFds: 17,
    });
    expect(parseProc('garbage', '', 0)).toBeNull();
  });

  it('reads a live process from /proc', () => {
    const me = readLocalProc(process.pid)!;
    expect(me.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(me.openFds).toBeGreaterThan(2);
    expect(me.cpuSeconds).toBeGreaterThan(0);
    expect(readLocalProc(2 ** 22 + 12345)).toBeNull();
  });

  it('20 trials against a server that leaks are flagged; the same server freeing memory is not', async () => {
    const leaky = await soak('leak', 20);
    const steady = await soak('steady', 20);
    const findings = leakFindings([...leaky, ...steady]);
    expect(findings.map((f) => `${f.node} ${f.metric}`)).toEqual(['leak rss']);
    expect(findings[0]!.message).toMatch(
      /possible memory leak on leak: \+[\d.]+ MiB per trial over 20 trials/,
    );
    // About 8 MiB a trial.
    expect(findings[0]!.slope / 2 ** 20).toBeGreaterThan(4);
  }, 60_000);

  it('noise around a level and too few trials are not leaks', () => {
    const noise = Array.from({ length: 20 }, (_, trial) => ({
      trial,
      value: 100 + ((trial * 7) % 5),
    }));
    expect(leakCheck(noise).leaking).toBe(false);
    const short = Array.from({ length: 5 }, (_, trial) => ({ trial, value: 100 * (trial + 1) }));
    expect(leakCheck(short).leaking).toBe(false);
    const growing = Array.from({ length: 20 }, (_, trial) => ({ trial, value: 100 + trial * 5 }));
    expect(leakCheck(growing)).toMatchObject({ leaking: true });
  });
});
