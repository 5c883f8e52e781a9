/**
 * Rules of the tree that keep the suite honest and portable, checked on the files themselves:
 * no absolute path of a development machine, test helpers in one place (test/support), every
 * file that starts real systems in the cluster tier (one file at a time), the typecheck part of
 * `npm test`, and every dependency install script reviewed in `allowScripts` (npm 11).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config, { CLUSTER_TESTS } from '../../vitest.config.js';
import { REPO } from '../support/repo.js';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(REPO, dir))) {
    const rel = join(dir, name);
    if (statSync(join(REPO, rel)).isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

/** This file names the patterns it looks for. */
const SELF = 'test/ci/repo-hygiene.test.ts';
const read = (rel: string) => readFileSync(join(REPO, rel), 'utf8');
const tsFiles = (dir: string) => filesUnder(dir).filter((f) => f.endsWith('.ts') && f !== SELF);
/** Lines of `files` matching `re`, as `file:line: text`. */
function grep(files: string[], re: RegExp): string[] {
  return files.flatMap((f) =>
    read(f)
      .split('\n')
      .flatMap((l, i) => (re.test(l) ? [`${f}:${i + 1}: ${l.trim().slice(0, 120)}`] : [])),
  );
}

describe('the tree', () => {
  it('holds no absolute path of a development machine in src/, test/, scripts/, .ci/', () => {
    const files = ['src', 'test', 'scripts', '.ci']
      .flatMap(filesUnder)
      .filter((f) => !/\.(png|jpe?g|gz|zst)$/.test(f));
    // Built from pieces so this file does not match itself.
    const machine = new RegExp(['/wo' + 'rk/', '/ho' + 'me/', '/Use' + 'rs/'].join('|'));
    expect(grep(files, machine)).toEqual([]);
  });

  it('keeps shared test helpers in test/support only', () => {
    const outside = tsFiles('test').filter((f) => !f.startsWith('test/support/'));
    const copies: Array<[string, RegExp]> = [
      ['the root check (use env.ts)', /process\.getuid|skipIf\(|runIf\(/],
      [
        'the repository path (use repo.ts)',
        /new URL\('(\.\.\/)+'?,? ?import\.meta\.url\)\.pathname/,
      ],
      ['a free-port finder (use ports.ts)', /function freePorts?\b/],
      ['a deadline poll (use wait.ts)', /function (waitFor|waitUntil|poll)\b/],
      ['a CLI spawner (use cli.ts)', /'src\/cli\.ts'|'dist', 'cli\.js'|src\/cli\.ts'\)/],
      ['the corpus path (use repo.ts corpusDir)', /shared\/corpus/],
    ];
    const found = copies.flatMap(([what, re]) => grep(outside, re).map((hit) => `${what}: ${hit}`));
    expect(found).toEqual([]);
  });

  it('puts every test file that starts real systems in the cluster tier, which runs one file at a time', () => {
    const tests = tsFiles('test')
      .concat(tsFiles('src'))
      .filter((f) => f.endsWith('.test.ts'));
    for (const f of CLUSTER_TESTS) expect(tests, `${f} is listed in CLUSTER_TESTS`).toContain(f);
    const startsSystems =
      /describeAsRoot|Cluster\.(up|create)\(|startLocal(Etcd|Postgres)|LiveEtcdCluster|runEtcdElection|NetnsFixture|faketime|playwright/;
    const unitButStarts = tests.filter(
      (f) => !CLUSTER_TESTS.includes(f) && startsSystems.test(read(f)),
    );
    expect(unitButStarts).toEqual([]);
    const projects = config.test?.projects as Array<{
      test: { name: string; fileParallelism?: boolean };
    }>;
    const cluster = projects.find((p) => p.test.name === 'cluster');
    expect(cluster?.test.fileParallelism).toBe(false);
  });

  it('type-checks tests in `npm test` and in CI, so expectTypeOf assertions can fail', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toMatch(/npm run typecheck && vitest run/);
    expect(pkg.scripts.typecheck).toMatch(/tsc -p tsconfig\.json --noEmit/);
    const tsconfig = JSON.parse(read('tsconfig.json')) as { include: string[] };
    expect(tsconfig.include).toEqual(expect.arrayContaining(['src', 'test', 'scripts']));
    expect(read('test/executor/executor.test.ts')).toContain('expectTypeOf');
    expect(read('.ci/run')).toMatch(/\nnpm test /);
  });

  it('reviews the install script of every dependency that has one (allowScripts)', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> };
    const reviewed = Object.keys(pkg.allowScripts ?? {}).map((k) => k.replace(/(.)@.*$/, '$1'));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(withScripts.filter((name) => !reviewed.includes(name))).toEqual([]);
  });
});
