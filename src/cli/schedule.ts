/**
 * `faultline schedule ...`: generate a schedule from knobs and a seed (reproducibly), or check a
 * saved schedule.json. `addScheduleOptions` / `scheduleParamsFromOptions` give any command
 * (e.g. `faultline run`) the same knobs, under the same names.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { generateSchedule } from '../generators/generate.js';
import {
  DEFAULT_SCHEDULE_PARAMS,
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
import { examples } from './help.js';

export { describeSchedule };

export interface ScheduleCliOptions {
  timeLimit?: string;
  concurrency?: string;
  rate?: string;
  keys?: string;
  values?: string;
  mix?: string;
  nemesis?: string;
  faultCount?: string;
  faultDuration?: string;
  settle?: string;
  flap?: boolean;
}

const D = DEFAULT_SCHEDULE_PARAMS;
const seconds = (ms: number) => `${ms / 1000}`;
/** Without --fault-count: about one fault per this many ms of --time-limit, at least one. */
const MS_PER_FAULT = 10_000;

/**
 * Adds the generation knobs, one name each (the same in `run` and `schedule generate`), with
 * their defaults (DEFAULT_SCHEDULE_PARAMS) in the help.
 */
export function addScheduleOptions(cmd: Command): Command {
  return cmd
    .option('--time-limit <s>', `seconds of ops and faults (default: ${seconds(D.durationMs)})`)
    .option('--concurrency <n>', `client processes (default: ${D.concurrency})`)
    .option('--rate <n>', `ops per second per process (default: ${D.rate})`)
    .option('--keys <n>', `key space size (default: ${D.keys})`)
    .option('--values <n>', `written values are 0..n-1 (default: ${D.values})`)
    .option(
      '--mix <r:w:c>',
      `read:write:cas weights (default: ${D.opMix.read}:${D.opMix.write}:${D.opMix.cas})`,
    )
    .option(
      '--nemesis <kinds>',
      `fault kinds, comma-separated, or none (default: ${D.faultKinds.join(',')}; kinds: ${FAULT_KINDS.join(', ')})`,
    )
    .option(
      '--fault-count <n>',
      `faults in the run (default: one per ${MS_PER_FAULT / 1000} s of --time-limit, at least 1)`,
    )
    .option(
      '--fault-duration <min-max>',
      `fault duration range in seconds (default: ${seconds(D.faults.minDurationMs)}-${seconds(D.faults.maxDurationMs)})`,
    )
    .option(
      '--settle <s>',
      `quiet seconds at the end with no fault (default: ${seconds(D.settleMs)})`,
    )
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
  if (o.timeLimit !== undefined) p.durationMs = secondsToMs('time-limit', o.timeLimit);
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
  if (o.nemesis !== undefined) {
    const kinds =
      o.nemesis === 'none' || o.nemesis === '' ? [] : o.nemesis.split(',').map((k) => k.trim());
    const bad = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
    if (bad.length > 0)
      throw new UsageError(
        `--nemesis: unknown fault kind '${bad[0]}' (kinds: ${FAULT_KINDS.join(', ')})`,
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
  let params: ScheduleParams;
  try {
    params = resolveScheduleParams(p);
  } catch (err) {
    if (err instanceof ScheduleParamsError) throw new UsageError(err.message);
    throw err;
  }
  // Longer runs get more faults unless told otherwise.
  if (o.faultCount === undefined && params.faultKinds.length > 0) {
    params.faults.count = Math.max(1, Math.floor(params.durationMs / MS_PER_FAULT));
  }
  return params;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('generate or check schedules (client ops + timed faults, as JSON)');

  addScheduleOptions(
    schedule
      .command('generate')
      .addHelpText(
        'after',
        examples([
          [
            'the schedule `faultline run --seed 3` would use, into a file',
            'schedule generate --seed 3 -o schedule.json',
          ],
          [
            'a 60 s schedule with 10 clients, partitions and kills only',
            'schedule generate --time-limit 60 --concurrency 10 --nemesis partition,kill --seed 7',
          ],
        ]),
      )
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
    .addHelpText(
      'after',
      examples([
        ['validate a hand-written schedule and summarize it', 'schedule check schedule.json'],
        ['the schedule a run stored', 'schedule check results/latest/schedule.json'],
      ]),
    )
    .description(
      'validate a schedule.json and summarize it; exit 65 naming the bad field if invalid',
    )
    .action(async (file: string) => {
      const s = await loadSchedule(file);
      process.stdout.write(`${file}: ${describeSchedule(s)}\n`);
    });
}
