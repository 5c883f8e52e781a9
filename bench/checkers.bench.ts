/**
 * Benchmark: perf and stuck checkers on a synthetic history of N client operations
 * (2N history entries, 10 workers, 20 nemesis faults). Run: `npm run bench:checkers [-- N]`.
 */
import type { History, Op } from '../src/history/op.js';
import { checkPerf } from '../src/checkers/perf/index.js';
import { checkStuck } from '../src/checkers/stuck/index.js';

const n = Number(process.argv[2] ?? 1_000_000);
const workers = 10;
const ops: History = [];
let t = 0;
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const push = (o: Omit<Op, 'index'>) => ops.push({ index: ops.length, ...o });
for (let i = 0; i < n; i += workers) {
  if (i % (n / 20) === 0) {
    const id = `f${i}`;
    push({
      time: t,
      type: 'invoke',
      process: 'nemesis',
      f: 'start-partition',
      value: { id, kind: 'partition', targets: ['n1'] },
    });
    push({ time: t + 1e6, type: 'info', process: 'nemesis', f: 'start-partition', value: { id } });
    push({ time: t + 2e9, type: 'invoke', process: 'nemesis', f: 'stop-partition', value: { id } });
    push({
      time: t + 2e9 + 1e6,
      type: 'info',
      process: 'nemesis',
      f: 'stop-partition',
      value: { id },
    });
  }
  for (let w = 0; w < workers; w++)
    push({ time: t + w, type: 'invoke', process: w, f: 'write', key: `k${w}`, value: i });
  t += 1e6 + Math.floor(rand() * 1e6);
  for (let w = 0; w < workers; w++)
    push({
      time: t + w,
      type: rand() < 0.01 ? 'info' : 'ok',
      process: w,
      f: 'write',
      key: `k${w}`,
      value: i,
    });
  t += 1e5;
}
ops.sort((a, b) => a.time - b.time).forEach((o, i) => (o.index = i));

for (const [name, fn] of [
  ['perf', () => checkPerf(ops)],
  ['stuck', () => checkStuck(ops)],
] as const) {
  fn(); // warm up
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  console.log(
    `${name}: ${n} ops (${ops.length} entries) in ${ms.toFixed(0)} ms; valid=${String(r.valid)}`,
  );
}
