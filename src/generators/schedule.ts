/**
 * A Schedule is the plan of one trial, as plain JSON: what each client process does (and how long
 * it waits before each op) and when which fault starts and for how long. fast-check generates it
 * (arbitraries.ts), the executor runs it, and `schedule.json` in a run directory stores it so a
 * run can be re-executed exactly.
 *
 * The zod schema below is the single definition of a valid schedule: it validates generated
 * schedules in tests and loads saved ones with errors that name the file and the field.
 */
import { z } from 'zod';
import type { InputProblem } from '../errors.js';
import type { Fault, FaultKind } from '../nemesis/fault.js';
import type { JsonValue } from '../history/op.js';
import { fieldPath, jsonErrorAt } from '../json-input.js';
import { flapProblem } from './flap.js';
import { readInputText } from '../input-file.js';

export const SCHEDULE_VERSION = 1;

/**
 * When an op starts. `atMs`, when set, starts it at that time since the run began (or as soon as
 * the process's previous op completed, if later); otherwise it starts `delayMs` after the
 * previous op. Generated schedules set both (`delayMs` as the gap, for reading): absolute times
 * let shrinking drop an op without moving the others, and make the racing votes of one round
 * really start together.
 */
export interface OpTiming {
  delayMs: number;
  atMs?: number;
}

/** A register op without its timing: integer keys 0..keyCount-1 (the history records `key`). */
export type RegisterOpBody =
  | { f: 'read'; key: number }
  | { f: 'write'; key: number; value: number }
  | { f: 'cas'; key: number; value: [from: number, to: number] };

export type RegisterOp = OpTiming & RegisterOpBody;

/** A vote of the voting workload (src/clients/pg-vote.ts; vote-schedule.ts makes them). */
export interface VoteOp extends OpTiming {
  f: 'vote';
  /** Unused by the voting workload (a vote names its voter and round); kept optional so code over all ops may read `op.key`. */
  key?: number;
  value: { voter: string; round: number; candidate: string };
}

/**
 * A transaction of the list-append workload (src/clients/pg-txn.ts; txn-schedule.ts makes them):
 * micro-ops as in the history (src/history/txn.ts), reads `null` until performed.
 */
export interface TxnOp extends OpTiming {
  f: 'txn';
  /** Unused (the micro-ops name their keys); optional so code over all ops may read `op.key`. */
  key?: number;
  value: Array<['r', number, null] | ['append', number, number]>;
}

export type ScheduledOp = RegisterOp | VoteOp | TxnOp;

/** The generated register op kinds (weights in ScheduleParams.opMix). */
export type OpFunction = RegisterOp['f'];
export const OP_FUNCTIONS: readonly OpFunction[] = ['read', 'write', 'cas'];

/** A fault from the timeline: applied at `atMs` after the run starts, healed `durationMs` later. */
export interface ScheduledFault {
  atMs: number;
  durationMs: number;
  fault: Fault;
}

/** Where a generated schedule came from, so it can be regenerated (see generate.ts). */
export interface ScheduleOrigin {
  seed: number;
  /** fast-check's replay path (from a shrunk counterexample); absent for a plain sample. */
  path?: string;
  params: JsonValue;
}

export interface Schedule<O extends ScheduledOp = ScheduledOp> {
  version: typeof SCHEDULE_VERSION;
  /** Workers stop issuing new ops after this many ms; faults end before it. */
  durationMs: number;
  /** Keys are 0..keyCount-1; final reads cover all of them. */
  keyCount: number;
  /** One op sequence per worker; worker i starts as process i. */
  processes: O[][];
  /** Sorted by `atMs`. */
  faults: ScheduledFault[];
  /**
   * Open loop (open-loop.ts): ops start on a fixed timetable at `rate` ops/s in total and
   * latency counts from each op's intended start. Absent: closed loop.
   */
  openLoop?: { rate: number };
  origin?: ScheduleOrigin;
}

export const FAULT_KINDS: readonly FaultKind[] = [
  'partition',
  'loss',
  'latency',
  'bandwidth',
  'reset',
  'blackhole',
  'kill',
  'pause',
  'amnesia',
  'clock',
  'compound',
];

// ---- zod schema -----------------------------------------------------------------------------

const nonNegInt = z.number().int().nonnegative();
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

const targetSpecSchema = z.union([
  z.enum(['one', 'minority', 'majority', 'primaries', 'all']),
  z.object({ nodes: z.array(z.string().min(1)).min(1) }).strict(),
]);

const faultSchema = z
  .object({
    kind: z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]]),
    targets: targetSpecSchema,
    params: z.record(z.string(), jsonValue.optional()).optional(),
  })
  .strict();

const timing = { delayMs: nonNegInt, atMs: nonNegInt.optional() };
const opSchema = z.discriminatedUnion('f', [
  z.object({ ...timing, f: z.literal('read'), key: nonNegInt }).strict(),
  z.object({ ...timing, f: z.literal('write'), key: nonNegInt, value: z.number().int() }).strict(),
  z
    .object({
      ...timing,
      f: z.literal('cas'),
      key: nonNegInt,
      value: z.tuple([z.number().int(), z.number().int()]),
    })
    .strict(),
  z
    .object({
      ...timing,
      f: z.literal('txn'),
      key: nonNegInt.optional(),
      value: z
        .array(
          z.union([
            z.tuple([z.literal('r'), nonNegInt, z.null()]),
            z.tuple([z.literal('append'), nonNegInt, z.number().int()]),
          ]),
        )
        .min(1),
    })
    .strict(),
  z
    .object({
      ...timing,
      f: z.literal('vote'),
      key: nonNegInt.optional(),
      value: z
        .object({ voter: z.string().min(1), round: z.number().int(), candidate: z.string().min(1) })
        .strict(),
    })
    .strict(),
]);

export const scheduleSchema = z
  .object({
    version: z.literal(SCHEDULE_VERSION),
    durationMs: nonNegInt,
    keyCount: z.number().int().positive(),
    processes: z.array(z.array(opSchema)),
    faults: z.array(
      z.object({ atMs: nonNegInt, durationMs: nonNegInt, fault: faultSchema }).strict(),
    ),
    openLoop: z.object({ rate: z.number().positive() }).strict().optional(),
    origin: z
      .object({ seed: z.number().int(), path: z.string().optional(), params: jsonValue })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Cross-field rules zod cannot express per field.
    s.processes.forEach((ops, p) =>
      ops.forEach((op, i) => {
        if (op.key !== undefined && op.key >= s.keyCount) {
          ctx.addIssue({
            code: 'custom',
            path: ['processes', p, i, 'key'],
            message: `key ${op.key} is outside 0..${s.keyCount - 1} (keyCount ${s.keyCount})`,
          });
        }
      }),
    );
    s.faults.forEach((f, i) => {
      const flap = flapProblem(f.fault as Fault, f.durationMs);
      if (flap)
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'fault', 'params', 'flap'],
          message: flap,
        });
      if (i > 0 && f.atMs < s.faults[i - 1]!.atMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'atMs'],
          message: 'faults must be sorted by atMs',
        });
      }
    });
  });

/** A bad schedule file: names the file and the field (`processes[2][5].key`). */
export class ScheduleError extends Error implements InputProblem {
  override readonly name = 'ScheduleError';
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(
      `${file}${line === undefined ? '' : `:${line}`}: ${field ? `field '${field}': ` : ''}${reason}`,
    );
  }
  get userMessage(): string {
    return this.message;
  }
}

/** Validates a parsed value; throws ScheduleError naming the first bad field. */
export function parseSchedule(value: unknown, file = '<schedule>'): Schedule {
  const r = scheduleSchema.safeParse(value);
  if (r.success) return r.data as Schedule;
  const issue = r.error.issues[0]!;
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : '';
  throw new ScheduleError(file, fieldPath(issue.path) || undefined, issue.message + more);
}

/** Parses schedule JSON text; syntax errors name the line. */
export function parseScheduleText(text: string, file = '<schedule>'): Schedule {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ScheduleError(
      file,
      undefined,
      `invalid JSON: ${(err as Error).message}`,
      jsonErrorAt(text)?.line,
    );
  }
  return parseSchedule(value, file);
}

export async function loadSchedule(file: string): Promise<Schedule> {
  return parseScheduleText(await readInputText(file), file);
}

/** JSON for schedule.json: one op or fault per line, so long schedules stay readable and diffable. */
export function formatSchedule(s: Schedule): string {
  const list = (items: readonly unknown[], indent: string): string =>
    items.length === 0
      ? '[]'
      : `[\n${items.map((x) => indent + '  ' + JSON.stringify(x)).join(',\n')}\n${indent}]`;
  const lines = [
    `  "version": ${s.version}`,
    `  "durationMs": ${s.durationMs}`,
    `  "keyCount": ${s.keyCount}`,
    s.processes.length === 0
      ? '  "processes": []'
      : `  "processes": [\n${s.processes.map((ops) => '    ' + list(ops, '    ')).join(',\n')}\n  ]`,
    `  "faults": ${list(s.faults, '  ')}`,
  ];
  if (s.openLoop) lines.push(`  "openLoop": ${JSON.stringify(s.openLoop)}`);
  if (s.origin) lines.push(`  "origin": ${JSON.stringify(s.origin)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

export function opCount(s: Schedule): number {
  return s.processes.reduce((n, ops) => n + ops.length, 0);
}

/** One line about a schedule: origin, length, workers, ops, keys and the fault timeline. */
export function describeSchedule(s: Schedule): string {
  const faults = s.faults.map(
    (f) => `${f.fault.kind}@${(f.atMs / 1000).toFixed(1)}s+${(f.durationMs / 1000).toFixed(1)}s`,
  );
  const origin = s.origin
    ? `seed ${s.origin.seed}${s.origin.path ? ` path ${s.origin.path}` : ''}, `
    : '';
  return (
    `${origin}${(s.durationMs / 1000).toFixed(1)} s, ${s.processes.length} processes, ${opCount(s)} client ops over ` +
    `${s.keyCount} keys, ${s.faults.length} faults${faults.length ? ': ' + faults.join(' ') : ''}`
  );
}
