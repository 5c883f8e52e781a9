/**
 * `npm run bench:report`: report size and render time for 10k- and 100k-op runs.
 * For each size: write a realistic sample run directory, generate report.html (median of 3),
 * then load it in headless Chromium until the page script has drawn everything (median of 3).
 * Target: a 100k-op report under 5 MB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, probeReport } from '../test/support/browser-probe.js';
import { renderReport } from '../src/report/render.js';
import { writeSampleRun } from '../test/support/sample-run.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const RUNS = 3;
const TARGET_MB_100K = 5;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), `faultline-bench-report-${process.pid}-`));
  const browser = await launchChromium();
  let failed = false;
  try {
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} (2 shared cores: times are noisy)`,
    );
    console.log('ops      report MB  generate ms  browser ready ms  scatter pts  timeline rects');
    for (const n of SIZES) {
      const dir = join(work, `run-${n}`);
      await writeSampleRun(dir, { ops: n, concurrency: 10 });
      const gen: number[] = [];
      let bytes = 0;
      let path = '';
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const r = await renderReport(dir);
        gen.push(performance.now() - t0);
        bytes = r.bytes;
        path = r.path;
      }
      const load: number[] = [];
      let probe;
      for (let i = 0; i < RUNS; i++) {
        probe = await probeReport(path, { browser });
        load.push(probe.loadMs);
        if (probe.consoleErrors.length || probe.requests.length) {
          console.error(
            `errors: ${probe.consoleErrors.join('; ')} requests: ${probe.requests.join(' ')}`,
          );
          failed = true;
        }
      }
      const mb = bytes / 1024 / 1024;
      console.log(
        `${String(n).padEnd(8)} ${mb.toFixed(2).padStart(9)}  ${median(gen).toFixed(0).padStart(11)}  ${median(load).toFixed(0).padStart(16)}  ${String(probe!.charts.latency![0]).padStart(11)}  ${String(probe!.timeline.rects).padStart(14)}`,
      );
      if (n >= 100_000 && mb > (TARGET_MB_100K * n) / 100_000) {
        console.error(
          `FAIL: ${n}-op report is ${mb.toFixed(2)} MB (target < ${TARGET_MB_100K} MB per 100k ops)`,
        );
        failed = true;
      }
    }
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
