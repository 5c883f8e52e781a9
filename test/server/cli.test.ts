/**
 * `faultline serve` as a user runs it: prints its URL, serves the results, and exits 0 on SIGINT;
 * a port already taken is one clear line and exit code 65, and a bad --port is a usage error.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_RUN_ID, rawRequest, tempResults, type TempResults } from './helpers.js';
import { spawnCli } from '../support/cli.js';
import { waitUntil, withDeadline } from '../support/wait.js';

let tmp: TempResults;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tmp = await tempResults();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await tmp?.cleanup();
});

function serve(args: string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawnCli(['serve', ...args]);
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

describe('faultline serve', () => {
  it('prints its URL, serves the runs and stops on SIGINT with exit 0', async () => {
    const s = serve(['--results', tmp.root, '--port', '0']);
    const url = await waitUntil(
      'the URL on stdout',
      () => /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(s.stdout())?.[1],
      { timeoutMs: 30_000 },
    );
    const page = await rawRequest(url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`data-run="${FIXTURE_RUN_ID}"`);
    s.child.kill('SIGINT');
    expect(await withDeadline(s.exit, 10_000, 'serve did not exit after SIGINT')).toBe(0);
  });

  it('says plainly when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      const s = serve(['--results', tmp.root, '--port', String(port)]);
      expect(await withDeadline(s.exit, 30_000, 'serve did not exit')).toBe(65);
      expect(s.stderr().trim()).toBe(
        `faultline: port ${port} is already in use on 127.0.0.1; pick another with --port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('rejects a bad --port as a usage error', async () => {
    const s = serve(['--results', tmp.root, '--port', 'http']);
    expect(await withDeadline(s.exit, 30_000, 'serve did not exit')).toBe(64);
    expect(s.stderr()).toContain("--port: expected 0..65535, got 'http'");
  });
});
