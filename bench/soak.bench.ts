/**
 * `npm run bench:soak`: memory and file handles over a soak of very short trials on a real etcd-3
 * cluster. The daemon samples RSS and open fds after every trial (daemon.json `resources`); this
 * prints trial 5 against the last trial and fails (exit 1) if RSS grew by more than 10 % or fds
 * grew at all. Env: SOAK_TRIALS (default 50), SOAK_TRIAL_MS (default 2500).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../src/daemon/daemon.js';
import { parseSoakConfig } from '../src/daemon/config.js';
import { createLogger } from '../src/log.js';
import { REPO } from '../test/support/repo.js';

const trials = Number(process.env.SOAK_TRIALS ?? 50);
const trialMs = Number(process.env.SOAK_TRIAL_MS ?? 2500);
const base = mkdtempSync(join(tmpdir(), `fl-soak-bench-${process.pid}-`));

const config = parseSoakConfig(
  {
    name: 'bench',
    cluster: join(REPO, 'clusters/etcd-3.json'),
    readConsistency: 'linearizable',
    seed: 5,
    results: join(base, 'results'),
    schedule: {
      durationMs: trialMs,
      settleMs: 500,
      faultKinds: ['partition'],
      faults: { count: 1, minDurationMs: 500, maxDurationMs: 1000 },
    },
    budget: { trials },
    retention: { passingRuns: 3 },
    shrink: { enabled: false },
  },
  join(base, 'bench.json'),
);

const daemon = new Daemon(config, { logger: createLogger({ quiet: true }) });
let events = 0;
daemon.events$.subscribe(() => events++);
process.once('SIGINT', () => daemon.stop('interrupted'));
const t0 = Date.now();
const summary = await daemon.run();
const secs = (Date.now() - t0) / 1000;
const samples = summary.state.resources;
const at = (n: number) =>
  samples.find((s) => s.trial === n) ?? samples[Math.min(n, samples.length) - 1]!;
const early = at(5);
const last = samples[samples.length - 1]!;
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const growth = ((last.rssBytes - early.rssBytes) / early.rssBytes) * 100;
const k = summary.state.counts;
console.log(
  [
    `soak bench: ${k.trials} trials of ${trialMs} ms on etcd-3 in ${secs.toFixed(0)} s (${(secs / k.trials).toFixed(1)} s/trial), ${events} live events`,
    `  verdicts: ${k.valid} valid, ${k.invalid} invalid, ${k.unknown} unknown`,
    `  RSS   trial ${early.trial}: ${mib(early.rssBytes)} MiB   trial ${last.trial}: ${mib(last.rssBytes)} MiB   growth ${growth.toFixed(1)} %`,
    `  heap  trial ${early.trial}: ${mib(early.heapUsedBytes)} MiB   trial ${last.trial}: ${mib(last.heapUsedBytes)} MiB   (${((last.heapUsedBytes - early.heapUsedBytes) / 1024 / Math.max(1, last.trial - early.trial)).toFixed(1)} KiB/trial)`,
    `  fds   trial ${early.trial}: ${early.openFds}   trial ${last.trial}: ${last.openFds}`,
    `  RSS per trial (MiB): ${samples.map((s) => mib(s.rssBytes)).join(' ')}`,
  ].join('\n'),
);
rmSync(base, { recursive: true, force: true });
process.exitCode = growth > 10 || last.openFds > early.openFds ? 1 : 0;
