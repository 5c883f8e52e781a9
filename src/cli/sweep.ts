/**
 * `faultline sweep`: the same workload at several load levels, one trial each (src/sweep), to
 * find where latency starts to outgrow throughput. Exit code: the worst verdict of the levels.
 */
import type { Command } from 'commander';
import { composeValidity, exitCodeFor } from '../checkers/result.js';
import { createLogger } from '../log.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../run/workloads.js';
import { formatSweep, runSweep } from '../sweep/sweep.js';
import { UsageError } from './errors.js';
import { abortOnSignals, sloOptions } from './run.js';
import { scheduleParamsFromOptions } from './schedule.js';

interface SweepCliOptions {
  cluster: string;
  workload: string;
  concurrency: string;
  rate?: string;
  nemesis: string;
  faultTargets?: string;
  timeLimit: string;
  out?: string;
  opTimeout: string;
  readConsistency: string;
  slo: string[];
}

/** `1,8,64` -> [1, 8, 64]: positive numbers, strictly increasing. */
export function parseLevels(name: string, text: string, int: boolean): number[] {
  const xs = text.split(',').map((t) => Number(t.trim()));
  const bad = xs.findIndex(
    (n, i) => !(n > 0) || (int && !Number.isInteger(n)) || (i > 0 && n <= xs[i - 1]!),
  );
  if (text.trim() === '' || bad >= 0)
    throw new UsageError(
      `--${name}: expected increasing ${int ? 'whole numbers' : 'numbers'} > 0 separated by commas (e.g. 1,8,64), got '${text}'`,
    );
  return xs;
}

export function registerSweepCommands(program: Command): void {
  program
    .command('sweep')
    .description(
      'one trial per load level (fresh cluster each): sweep.json and sweep.html with the degradation curve and the knee',
    )
    .requiredOption('--cluster <file>', 'cluster definition (e.g. clusters/etcd-3.json)')
    .option('--workload <name>', `workload: ${WORKLOAD_NAMES.join(', ')}`, 'register')
    .requiredOption('--concurrency <list>', 'workers per level, e.g. 1,10,100')
    .option(
      '--rate <list>',
      'open loop: total ops/s (one value for every level, or a list to sweep at one concurrency)',
    )
    .option('--nemesis <kinds>', 'fault kinds, comma-separated, or none', 'none')
    .option('--fault-targets <nodes>', 'point every fault at these nodes, comma-separated')
    .option('--time-limit <s>', 'seconds of ops per level', '10')
    .option(
      '--out <dir>',
      'where sweep.json, sweep.html and the level runs go (default results/sweep-<time>)',
    )
    .option('--op-timeout <ms>', 'per-op client timeout; past it the op is info', '1000')
    .option('--read-consistency <c>', 'linearizable or serializable', 'linearizable')
    .option(
      '--slo <expr>',
      'an SLO every level must meet, repeatable',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(async (o: SweepCliOptions, cmd: Command) => {
      if (!WORKLOAD_NAMES.includes(o.workload as WorkloadName))
        throw new UsageError(
          `--workload: unknown workload '${o.workload}' (known: ${WORKLOAD_NAMES.join(', ')})`,
        );
      if (o.readConsistency !== 'linearizable' && o.readConsistency !== 'serializable')
        throw new UsageError(
          `--read-consistency: expected linearizable or serializable, got '${o.readConsistency}'`,
        );
      const concurrency = parseLevels('concurrency', o.concurrency, true);
      const rates = o.rate === undefined ? null : parseLevels('rate', o.rate, false);
      if (rates && rates.length > 1 && concurrency.length > 1)
        throw new UsageError(
          'sweep either --concurrency or --rate: with several rates give one concurrency',
        );
      const slos = sloOptions(o.slo);
      const params = scheduleParamsFromOptions({
        timeLimit: o.timeLimit,
        nemesis: o.nemesis,
      });
      const opTimeoutMs = Number(o.opTimeout);
      if (!Number.isInteger(opTimeoutMs) || opTimeoutMs <= 0)
        throw new UsageError(`--op-timeout: expected milliseconds > 0, got '${o.opTimeout}'`);
      const faultTargets = o.faultTargets
        ?.split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      const globals = cmd.optsWithGlobals<{ quiet?: boolean; logFile?: string }>();
      const log = createLogger({
        quiet: globals.quiet,
        ...(globals.logFile ? { file: globals.logFile } : {}),
      });
      const controller = new AbortController();
      const release = abortOnSignals(controller, log);
      try {
        const { file, dir } = await runSweep({
          clusterFile: o.cluster,
          workload: o.workload as WorkloadName,
          readConsistency: o.readConsistency,
          concurrency,
          rates,
          params,
          nemesis: o.nemesis,
          ...(faultTargets?.length ? { faultTargets } : {}),
          opTimeoutMs,
          out: o.out ?? `results/sweep-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          slos,
          signal: controller.signal,
          logger: log,
          command: ['faultline', ...process.argv.slice(2)].join(' '),
        });
        process.stdout.write(formatSweep(file, dir));
        process.exitCode = controller.signal.aborted
          ? 130
          : file.stopped
            ? 2
            : exitCodeFor(composeValidity(file.levels.map((l) => l.valid)));
      } finally {
        release();
      }
    });
}
