import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FaultJournal, readJournal, unhealedFaults } from '../../src/nemesis/journal.js';

describe('fault journal', () => {
  it('records apply before heal, survives a torn last line, and names the unhealed faults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-journal-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'faults.journal.jsonl');
    const j = FaultJournal.open(path);
    const fault = { kind: 'pause' as const, targets: 'one' as const };
    j.write({
      event: 'apply',
      id: 'f1',
      fault,
      targets: ['n1'],
      handler: 'pause',
      backend: 'netns',
      undo: {
        handler: 'pause',
        backend: 'netns',
        paused: [{ node: 'n1', backend: 'netns', pid: 1, startTime: 2 }],
      },
      pid: 9,
    });
    j.write({ event: 'applied', id: 'f1', verification: { ok: true } });
    j.write({
      event: 'apply',
      id: 'f2',
      fault,
      targets: ['n2'],
      handler: 'pause',
      backend: 'netns',
      undo: { handler: 'pause', backend: 'netns', paused: [] },
      pid: 9,
    });
    j.write({ event: 'heal', id: 'f1' });
    j.write({ event: 'healed', id: 'f1' });
    j.close();
    appendFileSync(path, '{"event":"heal","id":"f2"'); // crash mid-write
    const entries = readJournal(path);
    expect(entries.map((e) => `${e.event}:${e.id}`)).toEqual([
      'apply:f1',
      'applied:f1',
      'apply:f2',
      'heal:f1',
      'healed:f1',
    ]);
    expect(unhealedFaults(entries).map((e) => e.id)).toEqual(['f2']);
    expect(readJournal(join(tmpdir(), 'does-not-exist.jsonl'))).toEqual([]);
  });
});
