/**
 * The soak configuration (`faultline daemon --config soak.json`): which cluster, which workload,
 * how schedules are generated, what budget ends the soak, what is kept, and how failures are
 * shrunk. Validated with zod; a bad file gives one line naming the file and the field.
 *
 * Paths in the file (`cluster`, `results`) are relative to the config file's directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { resolveScheduleParams, type ScheduleParams } from '../generators/params.js';
import { FAULT_KINDS } from '../generators/schedule.js';
import { fieldPath, jsonErrorAt } from '../json-input.js';
import { parseSlo } from '../checkers/slo/expression.js';
import type { FaultKind } from '../nemesis/fault.js';
import { fsReason } from '../input-file.js';

const positiveInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();

const scheduleParamsSchema = z
  .object({
    durationMs: positiveInt,
    concurrency: positiveInt,
    rate: z.number().positive(),
    keys: positiveInt,
    values: positiveInt,
    opMix: z
      .object({
        read: z.number().nonnegative(),
        write: z.number().nonnegative(),
        cas: z.number().nonnegative(),
      })
      .partial()
      .strict(),
    faultKinds: z.array(z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]])),
    faults: z
      .object({ count: nonNegInt, minDurationMs: nonNegInt, maxDurationMs: nonNegInt })
      .partial()
      .strict(),
    settleMs: nonNegInt,
    flap: z.boolean(),
  })
  .partial()
  .strict();

export const soakConfigSchema = z
  .object({
    /** Soak name: the soak dir is `<results>/<name>/`. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - only'),
    cluster: z.string().min(1),
    workload: z.literal('register').default('register'),
    readConsistency: z.enum(['linearizable', 'serializable']).default('linearizable'),
    /** Daemon seed: trial i runs the schedule of seed trialSeed(seed, i). */
    seed: z.number().int().min(-0x8000_0000).max(0xffff_ffff),
    results: z.string().min(1).default('results'),
    schedule: scheduleParamsSchema.default({}),
    opTimeoutMs: positiveInt.default(1000),
    checkTimeLimitMs: positiveInt.optional(),
    /** SLOs every trial must meet (checkers/slo): a violated one makes the trial invalid. */
    slo: z
      .array(
        z.string().superRefine((text, ctx) => {
          try {
            parseSlo(text);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }),
      )
      .default([]),
    /** Compare every trial with this run (relative to the config file): a regression fails it. */
    baseline: z
      .object({ run: z.string().min(1), tolerance: z.number().nonnegative().default(0.1) })
      .strict()
      .optional(),
    /** Render report.html for each trial (failing runs always get one). */
    reportPassing: z.boolean().default(false),
    budget: z
      .object({
        /** Total running time of the soak (summed over restarts), seconds. */
        timeS: z.number().positive().optional(),
        /** Total trials of the soak. */
        trials: positiveInt.optional(),
        /** Stop after this many failing (invalid) trials. */
        failures: positiveInt.optional(),
      })
      .strict()
      .default({}),
    retention: z
      .object({
        /** Passing run dirs kept (the oldest beyond this are deleted); failing runs are always kept. */
        passingRuns: nonNegInt.default(20),
      })
      .strict()
      .default({ passingRuns: 20 }),
    shrink: z
      .object({
        enabled: z.boolean().default(true),
        /** Wall-clock budget for shrinking one failure, seconds. */
        timeBudgetS: z.number().positive().default(600),
        /** A candidate fails if it fails in `required` of `attempts` runs. */
        attempts: positiveInt.default(3),
        required: positiveInt.default(2),
        /** Attempts of a candidate run at once, each on its own cluster. */
        parallel: positiveInt.max(8).default(1),
        /** Re-runs of the minimized case to measure how often it reproduces. */
        confirmRuns: nonNegInt.default(3),
        /** Shrink the first this-many failures of each failure group. */
        perGroup: nonNegInt.default(1),
      })
      .strict()
      .refine((s) => s.required <= s.attempts, {
        message: 'required must be <= attempts',
        path: ['required'],
      })
      .default({
        enabled: true,
        parallel: 1,
        timeBudgetS: 600,
        attempts: 3,
        required: 2,
        confirmRuns: 3,
        perGroup: 1,
      }),
  })
  .strict();

export type SoakConfigFile = z.infer<typeof soakConfigSchema>;

export interface SoakConfig extends Omit<SoakConfigFile, 'schedule'> {
  /** Absolute paths. */
  configFile: string;
  clusterFile: string;
  resultsRoot: string;
  soakDir: string;
  /** Fully resolved generation knobs (defaults filled). */
  params: ScheduleParams;
}

/** A bad soak file: names the file and the field. */
export class SoakConfigError extends Error {
  override readonly name = 'SoakConfigError';
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}: ${field ? `field '${field}': ` : ''}${reason}`);
  }
  get userMessage(): string {
    return this.message;
  }
}

/** Validates parsed JSON as a soak config; relative paths resolve against `baseDir`. */
export function parseSoakConfig(
  value: unknown,
  file: string,
  baseDir = dirname(resolve(file)),
): SoakConfig {
  const r = soakConfigSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SoakConfigError(file, fieldPath(issue.path) || undefined, issue.message);
  }
  const { schedule, ...rest } = r.data;
  let params: ScheduleParams;
  try {
    params = resolveScheduleParams(schedule as Partial<ScheduleParams>);
  } catch (err) {
    // resolveScheduleParams names the knob: `schedule parameter 'faults.count': ...`
    throw new SoakConfigError(file, 'schedule', (err as Error).message);
  }
  const resultsRoot = resolve(baseDir, rest.results);
  return {
    ...rest,
    configFile: resolve(file),
    clusterFile: resolve(baseDir, rest.cluster),
    ...(rest.baseline
      ? { baseline: { ...rest.baseline, run: resolve(baseDir, rest.baseline.run) } }
      : {}),
    resultsRoot,
    soakDir: resolve(resultsRoot, rest.name),
    params,
  };
}

export function loadSoakConfig(file: string): SoakConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SoakConfigError(file, undefined, `cannot read: ${fsReason(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text);
    throw new SoakConfigError(
      at ? `${file}:${at.line}` : file,
      undefined,
      `invalid JSON: ${(err as Error).message}`,
    );
  }
  const config = parseSoakConfig(value, file);
  // Say where a relative `cluster` led, so a config copied away from its cluster file is
  // fixed from the message alone.
  if (!existsSync(config.clusterFile)) {
    const given = (value as { cluster?: unknown }).cluster;
    throw new SoakConfigError(
      file,
      'cluster',
      `${JSON.stringify(given)} resolves to ${config.clusterFile} (relative to the config file's folder), which does not exist`,
    );
  }
  return config;
}
