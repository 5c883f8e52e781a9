/**
 * `faultline history stats|validate|convert` through the real CLI entry point.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/history/load.js';
import { runCli } from '../support/cli.js';
import { corpusFile } from '../support/repo.js';

const ETCD = corpusFile('jepsen/etcd_000.log');
const dir = mkdtempSync(join(tmpdir(), `faultline-history-cli-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

describe('faultline history', () => {
  it('stats --json counts a Porcupine etcd log', () => {
    const r = cli('history', 'stats', ETCD, '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({
      format: 'porcupine-etcd',
      readNil: 'absent',
      ops: 170,
      invocations: 85,
      nemesisOps: 0,
      keys: 0,
      problems: [],
    });
    expect(
      (s.ok as number) + (s.fail as number) + (s.info as number) + (s.unfinished as number),
    ).toBe(85);
  });

  it('convert to EDN and back to JSONL keeps the history and its nil semantics', async () => {
    const edn = join(dir, 'h.edn');
    const jsonl = join(dir, 'h.jsonl');
    expect(cli('history', 'convert', ETCD, edn).status).toBe(0);
    expect(readFileSync(edn, 'utf8')).toMatch(
      /^;; faultline history; read-nil: absent\n\{:index 0, :time 0, :type :invoke, :process 0, :f :read, :value nil\}\n/,
    );
    expect(cli('history', 'convert', edn, jsonl, '--from', 'edn').status).toBe(0);
    const [orig, back, viaEdn] = await Promise.all([
      loadHistory(ETCD),
      loadHistory(jsonl),
      loadHistory(edn),
    ]);
    expect(back.ops).toStrictEqual(orig.ops);
    expect(viaEdn.readNil).toBe('absent');
  });

  it('bad input: one line naming file:line and field, exit 65', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"index":0,"time":0,"type":"invoke","process":0,"f":"read"}\n{"index":1,"time":1,"type":"ok","process":"p","f":"read"}\n',
    );
    const r = cli('history', 'stats', bad);
    expect(r.status).toBe(65);
    expect(r.stderr.trim()).toBe(
      `faultline: ${bad}:2: field 'process': expected a non-negative integer or "nemesis", got "p"`,
    );
  });

  it('validate: exit 65 with the op and line of the first problem', () => {
    const bad = join(dir, 'unpaired.edn');
    writeFileSync(
      bad,
      '{:type :invoke :f :read :process 0 :time 1}\n\n{:type :ok :f :write :process 0 :time 2}\n',
    );
    const r = cli('history', 'validate', bad);
    expect(r.status).toBe(65);
    expect(r.stderr.trim()).toBe(
      `faultline: ${bad}:3: op 1: ok has f 'write' but its invoke (op 0) has f 'read'`,
    );
    expect(cli('history', 'validate', ETCD).status).toBe(0);
  });

  it('usage errors exit 64', () => {
    expect(cli('history', 'stats', ETCD, '--format', 'xml').status).toBe(64);
    expect(cli('history', 'convert', ETCD, join(dir, 'out.txt')).status).toBe(64);
  });
});
