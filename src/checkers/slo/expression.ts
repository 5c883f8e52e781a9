/**
 * SLO expressions (pure parser): `success >= 0.99`, `p95 < 500ms`, `p99 < 2s during faults`,
 * `max-gap < 3s`, `recovery < 10s after heal`. Plain data out, so an SLO list can sit in a check
 * plan (results.json) and be re-checked by `replay`.
 *
 *   slo     := metric cmp value [period]
 *   metric  := success | info | throughput | pN (p50, p95, p99, p99.9, p999) | mean | max
 *            | max-gap | recovery
 *   cmp     := < | <= | > | >=
 *   value   := number with a time unit (ns, us, ms, s, m) for latencies, gaps and recovery;
 *              a fraction (0.99) or a percentage (99%) for success and info; ops/s for throughput
 *   period  := overall (default) | steady | during faults | during <fault kind> | after heal
 */
import { FAULT_KINDS } from '../../generators/schedule.js';
import type { PeriodSpec } from '../perf/samples.js';

export type SloMetric =
  | { kind: 'success' }
  | { kind: 'info' }
  | { kind: 'throughput' }
  | { kind: 'latency'; quantile: number | 'mean' | 'max'; name: string }
  | { kind: 'max-gap' }
  | { kind: 'recovery' };

export type Comparator = '<' | '<=' | '>' | '>=';

export interface Slo {
  /** The expression as written. */
  text: string;
  metric: SloMetric;
  cmp: Comparator;
  /** ns for time metrics, a fraction for success/info, ops/s for throughput. */
  bound: number;
  period: PeriodSpec;
}

/** A malformed SLO: the message names the expression and what is wrong with it. */
export class SloSyntaxError extends Error {
  override readonly name = 'SloSyntaxError';
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`SLO '${expression}': ${reason}`);
  }
  get userMessage(): string {
    return this.message;
  }
}

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9 };
const EXAMPLE = "e.g. 'p95 < 500ms', 'success >= 0.99', 'p99 < 2s during faults'";

export const isTimeMetric = (m: SloMetric): boolean =>
  m.kind === 'latency' || m.kind === 'max-gap' || m.kind === 'recovery';

function parseMetric(word: string, text: string): SloMetric {
  const w = word.toLowerCase();
  if (w === 'success') return { kind: 'success' };
  if (w === 'info') return { kind: 'info' };
  if (w === 'throughput') return { kind: 'throughput' };
  if (w === 'max-gap') return { kind: 'max-gap' };
  if (w === 'recovery') return { kind: 'recovery' };
  if (w === 'mean' || w === 'max') return { kind: 'latency', quantile: w, name: w };
  const m = /^p(\d+(?:\.\d+)?)$/.exec(w);
  if (m) {
    // p999 means p99.9 (HdrHistogram's naming); p99.9 is accepted as written.
    const digits = m[1]!;
    const pct =
      digits.includes('.') || digits.length <= 2
        ? Number(digits)
        : Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
    if (!(pct > 0 && pct <= 100))
      throw new SloSyntaxError(text, `quantile '${word}' must be between p0 and p100`);
    return { kind: 'latency', quantile: pct / 100, name: w };
  }
  throw new SloSyntaxError(
    text,
    `unknown metric '${word}' (known: success, info, throughput, p50..p999, mean, max, max-gap, recovery)`,
  );
}

function parseBound(metric: SloMetric, raw: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zµ%/]*)$/i.exec(raw);
  if (!m)
    throw new SloSyntaxError(text, `'${raw}' is not a number with an optional unit; ${EXAMPLE}`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (isTimeMetric(metric)) {
    if (unit === '')
      throw new SloSyntaxError(
        text,
        `a time bound needs a unit (ns, us, ms, s, m), e.g. '${raw}ms'`,
      );
    const scale = TIME_UNITS[unit];
    if (scale === undefined)
      throw new SloSyntaxError(text, `unknown time unit '${m[2]}' (ns, us, ms, s, m)`);
    return n * scale;
  }
  if (metric.kind === 'throughput') {
    if (unit !== '' && unit !== 'ops/s' && unit !== '/s')
      throw new SloSyntaxError(text, `throughput is in ops/s, got unit '${m[2]}'`);
    return n;
  }
  // success / info: a fraction or a percentage.
  if (unit === '%') {
    if (n > 100) throw new SloSyntaxError(text, `${raw} is more than 100%`);
    return n / 100;
  }
  if (unit !== '')
    throw new SloSyntaxError(
      text,
      `a rate is a fraction (0.99) or a percentage (99%), got unit '${m[2]}'`,
    );
  if (n > 1) throw new SloSyntaxError(text, `a rate is a fraction 0..1 (or write ${n}%)`);
  return n;
}

function parsePeriod(words: string[], text: string): PeriodSpec {
  const p = words.join(' ').toLowerCase();
  if (p === '' || p === 'overall') return { kind: 'overall' };
  if (p === 'steady') return { kind: 'steady' };
  if (p === 'after heal') return { kind: 'after-heal' };
  if (p === 'during faults' || p === 'during fault') return { kind: 'faults' };
  const m = /^during ([a-z][a-z0-9-]*)$/.exec(p);
  if (m) {
    if (!(FAULT_KINDS as readonly string[]).includes(m[1]!))
      throw new SloSyntaxError(
        text,
        `unknown fault kind '${m[1]}' (during faults, or during one of: ${FAULT_KINDS.join(', ')})`,
      );
    return { kind: 'fault', fault: m[1]! };
  }
  throw new SloSyntaxError(
    text,
    `unknown period '${words.join(' ')}' (overall, steady, during faults, during <kind>, after heal)`,
  );
}

/** Parses one SLO expression; throws SloSyntaxError naming it. */
export function parseSlo(expression: string): Slo {
  const text = expression.trim();
  const m = /^([a-z][a-z0-9.-]*)\s*(<=|>=|<|>)\s*(\S+)((?:\s+\S+)*)$/i.exec(text);
  if (!m) throw new SloSyntaxError(text, `expected '<metric> <op> <value> [period]'; ${EXAMPLE}`);
  const metric = parseMetric(m[1]!, text);
  const cmp = m[2] as Comparator;
  // `500 ms` with a space: the unit is the first word after the number.
  let raw = m[3]!;
  let rest = m[4]!.trim().split(/\s+/).filter(Boolean);
  if (/^[\d.]+$/.test(raw) && rest[0] && /^(ns|us|µs|ms|s|m|%|ops\/s)$/i.test(rest[0])) {
    raw += rest[0];
    rest = rest.slice(1);
  }
  const bound = parseBound(metric, raw, text);
  return { text, metric, cmp, bound, period: parsePeriod(rest, text) };
}

/** Parses a list; the first bad one throws. */
export const parseSlos = (expressions: readonly string[]): Slo[] => expressions.map(parseSlo);

export function holds(measured: number, cmp: Comparator, bound: number): boolean {
  switch (cmp) {
    case '<':
      return measured < bound;
    case '<=':
      return measured <= bound;
    case '>':
      return measured > bound;
    case '>=':
      return measured >= bound;
  }
}

/** A measured value in the SLO's own terms: `612.4 ms`, `0.9731`, `183.2 ops/s`. */
export function formatMeasure(metric: SloMetric, v: number): string {
  if (!Number.isFinite(v)) return 'never';
  if (isTimeMetric(metric)) {
    if (v >= 1e9) return `${(v / 1e9).toFixed(3)} s`;
    if (v >= 1e6) return `${(v / 1e6).toFixed(3)} ms`;
    return `${(v / 1e3).toFixed(1)} µs`;
  }
  if (metric.kind === 'throughput') return `${v.toFixed(1)} ops/s`;
  return v.toFixed(4);
}
