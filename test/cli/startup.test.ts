/**
 * Start-up cost of the CLI: each subcommand loads only what it needs (src/cli.ts imports
 * subcommands lazily). A module-load hook records every module the built CLI loads; `check`
 * must not load the etcd/gRPC client, the web server or the report code, and `--version` no
 * subcommand at all. (Timings are in `npm run bench:scale`, not here.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO, corpusFile } from '../support/repo.js';

const dir = mkdtempSync(join(tmpdir(), `faultline-startup-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.FAULTLINE_LOADED, url + '\\n');
  return next(url, context);
}
`,
);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
`,
);

let n = 0;
/** Runs the built CLI and returns its exit code and the URLs of the modules it loaded. */
function loaded(...args: string[]): { status: number | null; modules: string[] } {
  const log = join(dir, `loaded-${n++}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, FAULTLINE_LOADED: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const HEAVY = [
  /node_modules\/etcd3\//,
  /@grpc\//,
  /protobufjs/,
  /\/dist\/server\//,
  /\/dist\/report\//,
];

describe('CLI start-up', () => {
  it('check loads neither etcd/gRPC, nor the web server, nor the report code', () => {
    const r = loaded('check', corpusFile('jepsen/etcd_002.log'));
    expect(r.status).toBe(0);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/check.js'))).toBe(true);
    for (const re of HEAVY) expect(r.modules.filter((m) => re.test(m))).toEqual([]);
    expect(r.modules.filter((m) => /\/dist\/cli\/(run|daemon|serve|cluster)\.js$/.test(m))).toEqual(
      [],
    );
  });

  it('--version loads no subcommand', () => {
    const r = loaded('--version');
    expect(r.status).toBe(0);
    expect(r.modules.filter((m) => m.includes('/dist/cli/') && !m.endsWith('/errors.js'))).toEqual(
      [],
    );
  });

  it('--help still lists every subcommand', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const c of [
      'history',
      'check',
      'analyze',
      'cluster',
      'report',
      'schedule',
      'run',
      'replay',
      'daemon',
      'minimize',
      'serve',
    ])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('an unknown command is a usage error with a suggestion', () => {
    const r = spawnSync(process.execPath, [CLI, 'chek'], { encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/Did you mean check\?/);
  });
});
