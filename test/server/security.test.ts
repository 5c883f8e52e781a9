/**
 * No request reads outside the results directory: `..` in every spelling, encoded separators,
 * double encoding, backslashes, NUL, absolute paths and symlinks that leave the root are refused,
 * while the run's own files (also through the `latest` link) are served.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { safeSegments } from '../../src/server/safe-path.js';
import { FIXTURE_RUN_ID, rawRequest, tempResults, type TempResults } from './helpers.js';

const SECRET = 'TOP-SECRET-OUTSIDE-RESULTS';

let tmp: TempResults;
let server: RunningServer;

beforeAll(async () => {
  tmp = await tempResults();
  // A file next to the results root, and links from inside the root to it.
  await mkdir(join(tmp.base, 'outside'));
  await writeFile(join(tmp.base, 'outside', 'secret.txt'), SECRET);
  await writeFile(join(tmp.base, 'secret.txt'), SECRET);
  await symlink(join(tmp.base, 'outside'), join(tmp.root, 'escape-dir'));
  await symlink(join(tmp.base, 'secret.txt'), join(tmp.root, FIXTURE_RUN_ID, 'escape.txt'));
  await symlink('../../../../secret.txt', join(tmp.root, FIXTURE_RUN_ID, 'logs', 'rel-escape.log'));
  await writeFile(join(tmp.root, '.hidden'), SECRET);
  server = await startServer({ resultsRoot: tmp.root });
});

afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

const ATTACKS = [
  '/files/../secret.txt',
  '/files/../../../../etc/passwd',
  `/files/${FIXTURE_RUN_ID}/../../../secret.txt`,
  '/files/%2e%2e/secret.txt',
  '/files/%2E%2E/secret.txt',
  '/files/.%2e/secret.txt',
  '/files/%2e%2e%2fsecret.txt',
  '/files/..%2Fsecret.txt',
  '/files/%252e%252e/secret.txt',
  '/files/%252e%252e%252fsecret.txt',
  '/files/..%5csecret.txt',
  '/files/..\\secret.txt',
  '/files/%5c..%5csecret.txt',
  `/files/${FIXTURE_RUN_ID}/summary.txt%00.html`,
  '/files/%00',
  '/files//etc/passwd',
  '/files/%2fetc%2fpasswd',
  '/files/C:%5cWindows',
  '/files/escape-dir/secret.txt',
  `/files/${FIXTURE_RUN_ID}/escape.txt`,
  `/files/${FIXTURE_RUN_ID}/logs/rel-escape.log`,
  '/files/.hidden',
  '/files/%2ehidden',
  '/files/%c0%ae%c0%ae/secret.txt',
  '/runs/..',
  '/runs/%2e%2e/results',
  '/runs/escape-dir',
  '/api/runs/..%2f..',
  '/api/runs/%2e%2e',
  '/api/runs/escape-dir',
];

describe('path traversal', () => {
  it.each(ATTACKS)('refuses %s', async (path) => {
    const res = await rawRequest(server.url, path);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('root:x:0:0');
  });

  it('serves the run files, directly and through latest', async () => {
    const direct = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/summary.txt`);
    expect(direct.status).toBe(200);
    expect(direct.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(direct.body).toContain('Faultline run etcd-3-register-serializable: INVALID');

    const latest = await rawRequest(server.url, '/files/latest/summary.txt');
    expect(latest.status).toBe(200);
    expect(latest.body).toBe(direct.body);

    const json = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/results.json`);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((JSON.parse(json.body) as { valid: unknown }).valid).toBe(false);

    const hist = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/history.jsonl`);
    expect(hist.status).toBe(200);
    expect(hist.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(hist.body.split('\n')[0]!)).toMatchObject({ index: 0, type: 'invoke' });

    const log = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/logs/n1.log`);
    expect(log.status).toBe(200);
  });

  it('answers HEAD with headers only and refuses other methods', async () => {
    const head = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/schedule.json`, {
      method: 'HEAD',
    });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect(head.body).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await rawRequest(server.url, `/files/${FIXTURE_RUN_ID}/schedule.json`, {
        method,
      });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('refuses foreign Host headers (DNS rebinding) on a loopback server', async () => {
    const res = await rawRequest(server.url, '/', { headers: { host: 'evil.example:80' } });
    expect(res.status).toBe(421);
    const ok = await rawRequest(server.url, '/', { headers: { host: `localhost:${server.port}` } });
    expect(ok.status).toBe(200);
  });
});

describe('safeSegments', () => {
  it('splits clean paths and rejects the tricky ones', () => {
    expect(safeSegments('a/b%20c/d.txt')).toEqual(['a', 'b c', 'd.txt']);
    expect(safeSegments('a/b/')).toEqual(['a', 'b']);
    expect(safeSegments('%E0%A4%A')).toMatchObject({ status: 400 });
    for (const bad of [
      '..',
      'a/../b',
      'a/%2e%2e/b',
      'a%2fb',
      'a%5cb',
      'a\\b',
      '%2500',
      'a//b',
      './a',
      '/etc',
    ]) {
      expect(Array.isArray(safeSegments(bad)), bad).toBe(false);
    }
  });
});
