/**
 * Explanations: the failing op, the longest linearizable prefix with its state, the concurrent
 * ops, and the diagrams (SVG/HTML) that stay small for big histories.
 */
import { describe, expect, it } from 'vitest';
import { loadHistory } from '../../../src/history/load.js';
import {
  checkLinearizability,
  formatViolationText,
} from '../../../src/checkers/linearizability/index.js';
import {
  renderViolationFigure,
  renderViolationHtml,
  renderViolationSvg,
} from '../../../src/checkers/linearizability/render.js';
import { type Spec, toHistory } from './histories.js';
import { corpusFile } from '../../support/repo.js';

describe('violation explanations', () => {
  it('names the stale read, the prefix state and the concurrent write', async () => {
    // write 3 completes strictly before write 1, so a later read of 3 (overlapping write 2)
    // is stale.
    const specs: Spec[] = [
      { f: 'write', value: 3, status: 'ok', start: 0, end: 10 },
      { f: 'write', value: 1, status: 'ok', start: 20, end: 30 },
      { f: 'write', value: 2, status: 'ok', start: 40, end: 70 },
      { f: 'read', value: null, output: 3, status: 'ok', start: 50, end: 60 },
    ];
    const history = toHistory(specs);
    const r = await checkLinearizability(history, { model: 'register' });
    expect(r.valid).toBe(false);
    const v = r.violations[0]!;
    expect(v.op.f).toBe('read');
    expect(v.op.output).toBe(3);
    // w3, w1 and then w2 (which may take effect before the read returns): state 2.
    expect(v.prefixes[0]!.length).toBe(3);
    expect(v.prefixes[0]!.state).toBe('2');
    expect(v.concurrent.map((o) => o.value)).toEqual([2]);
    expect(formatViolationText(v)).toMatch(/read -> 3/);
    const svg = renderViolationSvg(v);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('#d62728'); // the failing op is highlighted
    expect(svg).toContain('read -&gt; 3');
    const html = renderViolationHtml(r);
    expect(html).toContain('<!doctype html>');
    expect(html).toContain('<svg');
  });

  // Knossos's data/cas-register/bad files (rethink-fail-minimal, immediate-failure,
  // bad-analysis) have this shape: a read of a value that no op, ok or pending, ever writes.
  it('a read of a value no write produced says so, after the real longest prefix', async () => {
    const r = await checkLinearizability(
      toHistory([
        { f: 'write', value: 1, status: 'ok', start: 0, end: 1 },
        { f: 'read', value: null, output: 7, status: 'ok', start: 2, end: 3 },
      ]),
      { model: 'cas-register' },
    );
    const v = r.violations[0]!;
    expect(v.op.output).toBe(7);
    expect(v.message).toMatch(/no write, completed or pending, could have produced 7/);
    expect(v.prefixes[0]!.length).toBe(1); // the write is a linearizable prefix
    expect(v.prefixes[0]!.state).toBe('1');
    expect(v.message).not.toMatch(/concurrent/);
  });

  it('blames the impossible read, not the op after it (rethink-fail-minimal)', async () => {
    // write 0; then write 4 concurrent with a read of 3; then a read of 4.
    const r = await checkLinearizability(
      toHistory([
        { f: 'write', value: 0, status: 'ok', start: 0, end: 1 },
        { f: 'read', value: null, output: 3, status: 'ok', start: 2, end: 4 },
        { f: 'write', value: 4, status: 'ok', start: 3, end: 5 },
        { f: 'read', value: null, output: 4, status: 'ok', start: 6, end: 7 },
      ]),
      { model: 'cas-register', readNil: 'unknown' },
    );
    const v = r.violations[0]!;
    expect(v.op.output).toBe(3);
    expect(v.message).toMatch(/could have produced 3; the longest linearizable prefix has 2 of 4/);
  });

  it('a pending write of the value makes the read possible: no such claim', async () => {
    const r = await checkLinearizability(
      toHistory([
        { f: 'write', value: 1, status: 'ok', start: 0, end: 1 },
        { f: 'read', value: null, output: 7, status: 'ok', start: 2, end: 3 },
        { f: 'read', value: null, output: 1, status: 'ok', start: 4, end: 5 },
        { f: 'write', value: 7, status: 'info', start: 6, end: 7 },
      ]),
      { model: 'cas-register' },
    );
    const v = r.violations[0]!;
    expect(v.message).not.toMatch(/could have produced/);
    expect(v.message).toMatch(/cannot be linearized/);
  });

  it('the diagram shows every label in full, indeterminate ops to the end, and a step-through', async () => {
    // Long values: the old diagram clipped them to a few characters ("[0] re…").
    const long = 'a-rather-long-value-that-decides-the-case';
    const r = await checkLinearizability(
      toHistory([
        { f: 'write', key: 'k', value: long, status: 'ok', start: 0, end: 1 },
        { f: 'write', key: 'k', value: 'x', status: 'info', start: 2, end: 3 },
        { f: 'read', key: 'k', value: null, output: 'x', status: 'ok', start: 3, end: 4 },
        { f: 'write', key: 'k', value: 'other', status: 'ok', start: 5, end: 6 },
        { f: 'read', key: 'k', value: null, output: long, status: 'ok', start: 7, end: 8 },
      ]),
      { model: 'cas-register', workers: 0 },
    );
    const v = r.violations[0]!;
    const svg = renderViolationSvg(v);
    expect(svg).not.toContain('…');
    for (const label of [`#1 [k] write "${long}"`, `[k] read -&gt; "${long}"`])
      expect(svg).toContain(`>${label.replace(/"/g, '&quot;')}`);
    // The indeterminate write reaches the end-of-history line (∞).
    const end = Number(/<line x1="([\d.]+)" x2="\1"/.exec(svg)![1]);
    const pending =
      /data-op="2"><title>[^<]*<\/title><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
    expect(Number(pending[1]) + Number(pending[2])).toBeCloseTo(end, 3);
    expect(svg).toContain('→ ∞');
    // The message is never cut: every word of it is in the SVG.
    for (const word of v.message.split(' '))
      expect(svg).toContain(word.replace(/"/g, '&quot;').replace(/>/g, '&gt;'));
    const figure = renderViolationFigure(v);
    expect(figure.startsWith('<svg')).toBe(true); // the report puts it in its diagram box
    expect(figure).toContain('<table class="fl-ops">');
    const data = JSON.parse(
      /<script type="application\/json" id="[^"]+">(.*?)<\/script>/s.exec(figure)![1]!,
    );
    expect(data.steps.map((s: { state: string }) => s.state)).toEqual([
      JSON.stringify(long),
      '"x"',
      '"x"',
      '"other"',
    ]);
    expect(v.prefixes[0]!.steps!.map((s) => s.index)).toEqual(v.prefixes[0]!.opIndices);
  });

  it('keeps the diagram of a big history small (only the relevant window)', async () => {
    const h = await loadHistory(corpusFile('kv/c50-bad.txt'));
    const r = await checkLinearizability(h.ops, { model: 'kv', workers: 0 });
    expect(r.valid).toBe(false);
    const svg = renderViolationSvg(r.violations[0]!);
    expect(svg.length).toBeLessThan(60_000);
    expect((svg.match(/<rect /g) ?? []).length).toBeLessThan(60);
  });
});
