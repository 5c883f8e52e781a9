/**
 * `faultline schedule ...`: generate a schedule from knobs and a seed (reproducibly), or check a
 * saved schedule.json. `addScheduleOptions` / `scheduleParamsFromOptions` give any command
 * (e.g. `faultline run`) the same knobs.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { generateSchedule } from '../generators/generate.js';
import {
  resolveScheduleParams,
  ScheduleParamsError,
  type ScheduleParams,
} from '../generators/params.js';
import {
  FAULT_KINDS,
  formatSchedule,
  loadSchedule,
  describeSchedule,
} from '../generators/schedule.js';

import type { FaultKind } from '../nemesis/fault.js';

export { describeSchedule };

export interface ScheduleCliOptions {
  duration?: string;
  concurrency?: string;
  rate?: string;
  keys?: string;
  values?: string;
  mix?: string;
  faults?: string;
  faultCount?: string;
  faultDuration?: string;
  settle?: string;
  flap?: boolean;
}

/** Adds the generation knobs (all optional; defaults come from DEFAULT_SCHEDULE_PARAMS). */
export function addScheduleOptions(cmd: Command): Command {
  return cmd
    .option('--duration <s>', 'total run time in seconds (default 10)')
    .option('--concurrency <n>', 'client processes (default 5)')
    .option('--rate <n>', 'ops per second per process (default 10)')
    .option('--keys <n>', 'key space size (default 3)')
    .option('--values <n>', 'written values are 0..n-1 (default 5)')
    .option('--mix <r:w:c>', 'read:write:cas weights (default 1:1:1)')
    .option(
      '--faults <kinds>',
      `comma-separated fault kinds, or none (default partition,kill,pause; kinds: ${FAULT_KINDS.join(', ')})`,
    )
    .option('--fault-count <n>', 'faults per run (default 2)')
    .option('--fault-duration <min-max>', 'fault duration range in seconds (default 1-3)')
    .option('--settle <s>', 'quiet seconds at the end with no fault (default 1)')
    .option(
      '--flap',
      'generated kills flap: 2-4 kill/restart rounds of the same target within the fault',
    );
}

function num(name: string, text: string, opts: { int?: boolean; min?: number } = {}): number {
  const n = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(n) ||
    (opts.int && !Number.isInteger(n)) ||
    n < (opts.min ?? 0)
  ) {
    throw new UsageError(
      `--${name}: expected a ${opts.int ? 'whole ' : ''}number >= ${opts.min ?? 0}, got '${text}'`,
    );
  }
  return n;
}

const secondsToMs = (name: string, text: string) => Math.round(num(name, text) * 1000);

export function scheduleParamsFromOptions(o: ScheduleCliOptions): ScheduleParams {
  const p: Partial<ScheduleParams> = {};
  if (o.duration !== undefined) p.durationMs = secondsToMs('duration', o.duration);
  if (o.concurrency !== undefined)
    p.concurrency = num('concurrency', o.concurrency, { int: true, min: 1 });
  if (o.rate !== undefined) p.rate = num('rate', o.rate);
  if (o.keys !== undefined) p.keys = num('keys', o.keys, { int: true, min: 1 });
  if (o.values !== undefined) p.values = num('values', o.values, { int: true, min: 1 });
  if (o.mix !== undefined) {
    const parts = o.mix.split(':');
    if (parts.length !== 3)
      throw new UsageError(`--mix: expected read:write:cas weights like 1:1:1, got '${o.mix}'`);
    const [read, write, cas] = parts.map((x) => num('mix', x)) as [number, number, number];
    p.opMix = { read, write, cas };
  }
  if (o.faults !== undefined) {
    const kinds =
      o.faults === 'none' || o.faults === '' ? [] : o.faults.split(',').map((k) => k.trim());
    const bad = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
    if (bad.length > 0)
      throw new UsageError(
        `--faults: unknown fault kind '${bad[0]}' (kinds: ${FAULT_KINDS.join(', ')})`,
      );
    p.faultKinds = kinds as FaultKind[];
  }
  const faults: Partial<ScheduleParams['faults']> = {};
  if (o.faultCount !== undefined) faults.count = num('fault-count', o.faultCount, { int: true });
  if (o.faultDuration !== undefined) {
    const m = /^([\d.]+)(?:-([\d.]+))?$/.exec(o.faultDuration);
    if (!m)
      throw new UsageError(
        `--fault-duration: expected seconds like 2 or 1-3, got '${o.faultDuration}'`,
      );
    faults.minDurationMs = secondsToMs('fault-duration', m[1]!);
    faults.maxDurationMs = secondsToMs('fault-duration', m[2] ?? m[1]!);
  }
  if (Object.keys(faults).length > 0) p.faults = faults as ScheduleParams['faults'];
  if (o.settle !== undefined) p.settleMs = secondsToMs('settle', o.settle);
  if (o.flap) p.flap = true;
  try {
    return resolveScheduleParams(p);
  } catch (err) {
    if (err instanceof ScheduleParamsError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('generate or check schedules (client ops + timed faults, as JSON)');

  addScheduleOptions(
    schedule
      .command('generate')
      .description(
        'generate a schedule from knobs and a seed; the same seed and knobs give the same schedule',
      )
      .option('--seed <n>', 'fast-check seed (default: random, printed)')
      .option('--path <p>', 'fast-check replay path of a shrunk counterexample (with its --seed)')
      .option('-o, --out <file>', 'write schedule.json here (default: stdout)'),
  ).action(async (o: ScheduleCliOptions & { seed?: string; path?: string; out?: string }) => {
    const params = scheduleParamsFromOptions(o);
    let seed: number | undefined;
    if (o.seed !== undefined) {
      seed = Number(o.seed);
      if (!Number.isSafeInteger(seed))
        throw new UsageError(`--seed: expected an integer, got '${o.seed}'`);
    }
    if (o.path !== undefined && !/^\d+(:\d+)*$/.test(o.path)) {
      throw new UsageError(`--path: expected fast-check's path like 3:0:1, got '${o.path}'`);
    }
    const g = generateSchedule(params, seed, o.path);
    const text = formatSchedule(g.schedule);
    if (o.out) {
      await writeFile(o.out, text);
      process.stderr.write(`${o.out}: ${describeSchedule(g.schedule)}\n`);
    } else {
      process.stdout.write(text);
    }
  });

  schedule
    .command('check <file>')
    .description(
      'validate a schedule.json and summarize it; exit 65 naming the bad field if invalid',
    )
    .action(async (file: string) => {
      const s = await loadSchedule(file);
      process.stdout.write(`${file}: ${describeSchedule(s)}\n`);
    });
}
