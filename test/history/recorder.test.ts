/**
 * The Recorder (durable JSONL appends) and the streaming reader.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryFormatError } from '../../src/history/errors.js';
import { loadHistory } from '../../src/history/load.js';
import type { Op } from '../../src/history/op.js';
import { readHistory } from '../../src/history/reader.js';
import { Recorder } from '../../src/history/recorder.js';
import { validateHistory } from '../../src/history/validate.js';
import { waitUntil } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), `faultline-recorder-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (): string => join(dir, `h${n++}.jsonl`);

async function collect(path: string, warnings: string[] = []): Promise<Op[]> {
  const out: Op[] = [];
  for await (const op of readHistory(path, { onWarning: (w) => warnings.push(w) })) out.push(op);
  return out;
}

describe('Recorder', () => {
  it('assigns indexes in call order across concurrent async workers, with monotonic times', async () => {
    const path = tmp();
    const rec = await Recorder.open(path);
    const returned: Op[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, p) => {
        for (let i = 0; i < 50; i++) {
          returned.push(rec.record({ type: 'invoke', process: p, f: 'read', value: null }));
          await new Promise((r) => setImmediate(r));
          returned.push(rec.record({ type: 'ok', process: p, f: 'read', value: i }));
        }
      }),
    );
    await rec.close();
    returned.sort((a, b) => a.index - b.index);
    const back = await collect(path);
    expect(back).toStrictEqual(returned);
    expect(back.map((o) => o.index)).toStrictEqual(back.map((_, i) => i));
    expect(validateHistory(back)).toEqual([]);
    expect(back.at(-1)!.time).toBeGreaterThan(0);
  });

  it('flush() makes everything recorded before it readable on disk', async () => {
    const path = tmp();
    const rec = await Recorder.open(path);
    for (let i = 0; i < 1000; i++) rec.record({ type: 'invoke', process: i, f: 'write', value: i });
    await rec.flush();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(1001);
    rec.record({ type: 'ok', process: 0, f: 'write', value: 0 });
    await rec.close();
    expect(await collect(path)).toHaveLength(1001);
  });

  it('syncs on its own within the sync interval, without flush()', async () => {
    const path = tmp();
    const rec = await Recorder.open(path, { syncIntervalMs: 100 });
    try {
      for (let i = 0; i < 100; i++)
        rec.record({ type: 'invoke', process: i, f: 'write', value: i });
      expect(rec.durableCount).toBe(0);
      await waitUntil('the periodic fdatasync', () => rec.durableCount === 100, {
        timeoutMs: 5_000,
      });
    } finally {
      await rec.close();
    }
  });

  it('never writes times backwards even when callers pass earlier times', async () => {
    const path = tmp();
    const rec = await Recorder.open(path);
    rec.record({ type: 'invoke', process: 0, f: 'read', time: 500 });
    const op = rec.record({ type: 'ok', process: 0, f: 'read', time: 100, value: 1 });
    await rec.close();
    expect(op.time).toBe(500);
  });

  it('refuses to overwrite an existing history, rejects bad ops and records after close', async () => {
    const path = tmp();
    await writeFile(path, 'precious\n');
    await expect(Recorder.open(path)).rejects.toMatchObject({ code: 'EEXIST' });
    const rec = await Recorder.open(path, { overwrite: true });
    expect(() => rec.record({ type: 'done' as never, process: 0, f: 'read' })).toThrow(/type/);
    expect(() => rec.record({ type: 'ok', process: -1, f: 'read' })).toThrow(/process/);
    expect(rec.count).toBe(0);
    const closing = rec.close();
    expect(() => rec.record({ type: 'invoke', process: 0, f: 'read' })).toThrow(/closed/);
    await closing;
    expect(() => rec.record({ type: 'invoke', process: 0, f: 'read' })).toThrow(/closed/);
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('after SIGKILL mid-recording, every complete line reads back and indexes are a gap-free prefix', async () => {
    const path = tmp();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures/record-forever.ts'), path],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      // Kill once the file is growing well past its first batches (a condition, not a sleep).
      await waitUntil(
        'the child to record 2 MB',
        () => {
          if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
          return statSync(path).size > 2_000_000;
        },
        { timeoutMs: 20_000 },
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const warnings: string[] = [];
    const ops = await collect(path, warnings);
    expect(ops.length).toBeGreaterThan(10_000);
    expect(ops.map((o) => o.index)).toStrictEqual(ops.map((_, i) => i));
    expect(validateHistory(ops)).toEqual([]);
    // At most the final line may be torn, and then it is the only warning.
    expect(warnings.length).toBeLessThanOrEqual(1);
    const text = await readFile(path, 'utf8');
    const complete = text.endsWith('\n')
      ? text.split('\n').length - 1
      : text.split('\n').length - 1 + (warnings.length === 0 ? 1 : 0);
    expect(ops).toHaveLength(complete);
  });
});

describe('readHistory', () => {
  const line = (i: number): string =>
    JSON.stringify({ index: i, time: i, type: 'invoke', process: i, f: 'read', value: null });

  it('skips a torn final line with a warning', async () => {
    const path = tmp();
    await writeFile(path, `${line(0)}\n${line(1)}\n${line(2).slice(0, 20)}`);
    const warnings: string[] = [];
    expect(await collect(path, warnings)).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path}:3: torn final line`);
  });

  it('accepts a complete final line without newline, blank lines and CRLF', async () => {
    const path = tmp();
    await writeFile(path, `${line(0)}\r\n\n${line(1)}\n   \n${line(2)}`);
    const warnings: string[] = [];
    expect((await collect(path, warnings)).map((o) => o.index)).toEqual([0, 1, 2]);
    expect(warnings).toEqual([]);
  });

  it('ignores a UTF-8 byte order mark, also through loadHistory', async () => {
    const path = tmp();
    await writeFile(path, `\uFEFF${line(0)}\n${line(1)}\n`);
    expect((await collect(path)).map((o) => o.index)).toEqual([0, 1]);
    const loaded = await loadHistory(path, { validate: false });
    expect(loaded.format).toBe('jsonl');
    expect(loaded.ops.map((o) => o.index)).toEqual([0, 1]);
  });

  it('reports a bad line in the middle as file:line with the field', async () => {
    const path = tmp();
    await writeFile(
      path,
      `${line(0)}\n${line(1)}\n${line(2).replace('"read"', '7')}\n${line(3)}\n`,
    );
    const err = await collect(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryFormatError);
    expect((err as HistoryFormatError).line).toBe(3);
    expect((err as HistoryFormatError).userMessage).toBe(
      `${path}:3: field 'f': expected a string, got 7`,
    );
  });

  it('reports unknown and missing fields by name', async () => {
    const path = tmp();
    await writeFile(
      path,
      `{"index":0,"time":0,"type":"invoke","process":0,"f":"read","colour":1}\n`,
    );
    await expect(collect(path)).rejects.toThrow(`${path}:1: field 'colour': unknown field`);
    await writeFile(path, `{"index":0,"type":"invoke","process":0,"f":"read"}\n`);
    await expect(collect(path)).rejects.toThrow(`${path}:1: field 'time': missing`);
  });

  it('streams in bounded chunks: lines split across chunk boundaries, multi-byte UTF-8 included', async () => {
    const path = tmp();
    const ops = Array.from({ length: 200 }, (_, i) => ({
      index: i,
      time: i,
      type: 'invoke',
      process: i,
      f: 'wrïte',
      value: 'ü€😀'.repeat(i % 7),
    }));
    await writeFile(path, ops.map((o) => JSON.stringify(o) + '\n').join(''));
    const back: Op[] = [];
    for await (const op of readHistory(path, { chunkSize: 7 })) back.push(op);
    expect(back).toStrictEqual(ops);
  });
});
