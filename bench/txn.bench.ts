/**
 * `npm run bench:txn`: the list-append checker on 10k and 100k generated transactions
 * (txn-histories.ts), serializable (valid: no cycles) and read-committed (many anomalies: the
 * cycle search works), in one process: time, peak heap/RSS, and the 100k/10k time ratio, which
 * should stay near 10 (linear-ish, as Elle).
 */
import { checkListAppend } from '../src/checkers/txn/index.js';
import { simulateListAppend } from './txn-histories.js';

const gc = (globalThis as { gc?: () => void }).gc;

function measure(n: number, isolation: 'serializable' | 'read-committed') {
  const h = simulateListAppend({ n, isolation, seed: 42 });
  gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 5);
  const t0 = performance.now();
  const r = checkListAppend(h, {
    consistencyModel: isolation === 'serializable' ? 'strict-serializable' : 'read-committed',
    timeLimitMs: 120_000,
  });
  const ms = performance.now() - t0;
  clearInterval(timer);
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
  return {
    n,
    isolation,
    ops: h.length,
    ms: Math.round(ms),
    txnsPerSec: Math.round((n * 1000) / ms),
    heapMB: Math.round((peakHeap - base.heapUsed) / 2 ** 20),
    rssMB: Math.round(peakRss / 2 ** 20),
    valid: r.valid,
    anomalies: r.anomalyTypes.map((t) => `${t}:${r.anomalyCounts[t]}`).join(' ') || '-',
    edges: r.stats.edges,
    largestScc: r.stats.sccs.realtime?.largest ?? 0,
  };
}

const rows = [];
for (const iso of ['serializable', 'read-committed'] as const) {
  for (const n of [10_000, 100_000]) {
    const row = measure(n, iso);
    rows.push(row);
    console.log(
      `${iso.padEnd(15)} ${String(n).padStart(7)} txns: ${String(row.ms).padStart(6)} ms (${row.txnsPerSec} txns/s), heap +${row.heapMB} MB, peak RSS ${row.rssMB} MB, ${row.edges} edges, largest SCC ${row.largestScc}, valid=${row.valid}, ${row.anomalies}`,
    );
  }
  const [a, b] = rows.slice(-2);
  console.log(
    `${iso}: 100k/10k time ratio ${(b!.ms / Math.max(1, a!.ms)).toFixed(1)} (10 = linear)`,
  );
}
