/**
 * Test helpers for the results server: a temporary results directory holding a copy of the real
 * recorded run in test/fixtures/runs, and a raw HTTP client that sends a path exactly as written
 * (fetch and URL would normalise `..` away before it reaches the server).
 */
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_RUNS = fileURLToPath(new URL('../fixtures/runs', import.meta.url));
export const FIXTURE_RUN_ID = 'etcd-3-register-serializable/20261121T160121';

export interface TempResults {
  /** The temp dir; `root` is the results root inside it (so siblings of root are "outside"). */
  base: string;
  root: string;
  cleanup(): Promise<void>;
}

export async function tempResults(): Promise<TempResults> {
  const base = await mkdtemp(join(tmpdir(), `fl-serve-test-${process.pid}-`));
  const root = join(base, 'results');
  await cp(FIXTURE_RUNS, root, { recursive: true, filter: (src) => !src.endsWith('README.md') });
  await symlink(FIXTURE_RUN_ID, join(root, 'latest'));
  return { base, root, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(
  baseUrl: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', reject);
    req.end();
  });
}
