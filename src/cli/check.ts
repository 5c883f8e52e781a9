/**
 * `faultline check <file>`: offline linearizability check of a stored history (our JSONL,
 * Jepsen/Knossos EDN, Porcupine logs). Exit 0 linearizable, 1 not, 2 unknown (a bound was hit);
 * 64 usage, 65 bad input.
 *
 * With `--checkers` it runs any set of checkers over the same history (plus node logs for
 * election safety and replica observations for convergence) and composes their verdicts
 * Jepsen's way: any false -> false, else any unknown -> unknown, else true; the exit code is
 * the composed verdict's. `--checkers all`: every checker the inputs allow.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { isHistoryFormat } from '../history/detect.js';
import { isCasFail, loadHistory, requireOperations, type LoadOptions } from '../history/load.js';
import type { History, JsonValue } from '../history/op.js';
import { exitCodeFor, type CheckResult } from '../checkers/result.js';
import { checkerNames, runCheckers, type ComposedResult } from '../checkers/compose.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import type { Violation as LinearizabilityViolation } from '../checkers/linearizability/index.js';
import {
  MODEL_NAMES,
  checkLinearizability,
  formatViolationText,
  isModelName,
  type LinearizabilityResult,
  type ModelName,
} from '../checkers/linearizability/index.js';
import { renderViolationHtml } from '../checkers/linearizability/render.js';
import { InputFileError, readInputText } from '../input-file.js';
import { examples } from './help.js';
import { TXN_MODELS, isTxnModel, runTxnCheck } from './check-txn.js';

interface CheckCliOptions {
  model?: string;
  initial?: string;
  format: string;
  readNil?: string;
  casFail?: string;
  split: boolean;
  timeLimit?: string;
  memoryLimit?: string;
  full?: boolean;
  json?: boolean;
  out?: string;
  workers?: string;
  checkers?: string;
  log: string[];
  observations?: string;
  parser: string;
  stall?: string;
  recoveryBound?: string;
  quorum?: string;
  consistencyModel?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerCheckCommands(program: Command): void {
  program
    .command('check <file>')
    .addHelpText(
      'after',
      examples([
        [
          'a Jepsen EDN history against a compare-and-set register',
          'check history.edn --model cas-register',
        ],
        [
          "the latest run's history with every checker, node logs for election safety",
          'check results/latest/history.jsonl --checkers all --log n1=results/latest/logs/n1.log --log n2=results/latest/logs/n2.log --log n3=results/latest/logs/n3.log',
        ],
        [
          'a Porcupine etcd log, giving up after 30 s, result.json and violation.html into check-out/',
          'check etcd_000.log --format porcupine-etcd --time-limit 30 --out check-out',
        ],
      ]),
    )
    .description('check a history for linearizability against a model; exit 0 yes, 1 no, 2 unknown')
    .option(
      '--model <name>',
      `model: ${MODEL_NAMES.join(', ')}; transactions: ${TXN_MODELS.join(', ')} (default: cas-register for porcupine-etcd, kv for porcupine-kv)`,
    )
    .option(
      '--consistency-model <name>',
      'transactions: the isolation level to hold the history to (Elle names: read-committed, snapshot-isolation, serializable, strict-serializable, ...; default strict-serializable)',
    )
    .option('--initial <json>', 'initial state as JSON (register default null; kv default "")')
    .option(
      '--format <fmt>',
      'input format: auto, jsonl, edn, porcupine-etcd, porcupine-kv',
      'auto',
    )
    .option(
      '--read-nil <mode>',
      'an ok read of nil: absent (never written) or unknown (constrains nothing); default per format',
    )
    .option(
      '--cas-fail <meaning>',
      'a failed cas: refused (it ran and saw another value: an observation, as Porcupine) or did-not-happen (Knossos); default as the file says (JSONL per op, Porcupine logs refused, EDN did-not-happen)',
    )
    .option('--no-split', 'check keyed histories as one object instead of per key')
    .option('--time-limit <seconds>', 'give up (verdict unknown) after this long')
    .option('--memory-limit <MiB>', 'search memory budget per partition', '1024')
    .option(
      '--full',
      'decide and explain every partition instead of stopping at the first violation',
    )
    .option(
      '--workers <n>',
      'worker threads for independent partitions (0 = none; default automatic)',
    )
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'write result.json and violation.html there')
    .option(
      '--checkers <list>',
      `checkers to run and compose, comma-separated, or all (${checkerNames().join(', ')}); default linearizability`,
    )
    .option('--log <node=path>', 'a node log for election safety (repeat per node)', collect, [])
    .option('--observations <file>', 'JSON array of replica observations (convergence)')
    .option('--parser <name>', 'node log parser for election safety', 'etcd')
    .option(
      '--stall <seconds>',
      "stuck: no ok op for longer is a stall (number or 'auto'; default 5)",
    )
    .option(
      '--recovery-bound <seconds>',
      'stuck: longest acceptable recovery after the last heal (default 30)',
    )
    .option('--quorum <n>', 'election: votes a decision needs when the events do not say')
    .action(async (file: string, opts: CheckCliOptions) => {
      if (isTxnModel(opts.model)) {
        const { text, code } = await runTxnCheck(file, opts);
        process.stdout.write(text);
        process.exitCode = code;
        return;
      }
      if (opts.checkers !== undefined && opts.checkers.trim() !== 'linearizability') {
        const composed = await runComposedCheck(file, opts);
        process.stdout.write(
          opts.json ? JSON.stringify(composed, null, 2) + '\n' : formatComposedText(file, composed),
        );
        process.exitCode = exitCodeFor(composed.valid);
        return;
      }
      const { result, code } = await runCheck(file, opts);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        process.stdout.write(formatResultText(file, result));
      }
      process.exitCode = code;
    });
}

function parsePositive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${name} must be a non-negative number, got '${v}'`);
  return n;
}

/** The linearizability options the flags ask for (validated), for a loaded history. */
function linearizabilityOptions(
  opts: CheckCliOptions,
  loaded: { format: string; ops: History; readNil: 'absent' | 'unknown' },
) {
  if (opts.model !== undefined && !isModelName(opts.model)) {
    throw new UsageError(`unknown model '${opts.model}' (${MODEL_NAMES.join(', ')})`);
  }
  if (opts.readNil !== undefined && opts.readNil !== 'absent' && opts.readNil !== 'unknown') {
    throw new UsageError(`--read-nil must be absent or unknown, got '${opts.readNil}'`);
  }
  let initial: JsonValue | undefined;
  if (opts.initial !== undefined) {
    try {
      initial = JSON.parse(opts.initial) as JsonValue;
    } catch {
      throw new UsageError(`--initial must be JSON, got '${opts.initial}'`);
    }
  }
  const timeLimit = parsePositive('--time-limit', opts.timeLimit);
  const memoryMiB = parsePositive('--memory-limit', opts.memoryLimit);
  const workers = parsePositive('--workers', opts.workers);
  return {
    model: (opts.model ?? defaultModel(loaded.format, loaded.ops)) as ModelName,
    readNil: (opts.readNil as 'absent' | 'unknown' | undefined) ?? loaded.readNil,
    split: opts.split,
    full: opts.full ?? false,
    ...(initial === undefined ? {} : { initial }),
    ...(timeLimit === undefined ? {} : { timeLimitMs: timeLimit * 1000 }),
    ...(memoryMiB === undefined ? {} : { memoryLimitBytes: memoryMiB * 1024 * 1024 }),
    ...(workers === undefined ? {} : { workers: Math.floor(workers) }),
  };
}

/** Client op kinds some linearizability model understands (for `--checkers all`). */
const MODEL_OPS = new Set([
  'read',
  'write',
  'cas',
  'get',
  'put',
  'append',
  'acquire',
  'release',
  'enqueue',
  'dequeue',
  'add',
  'txn',
]);
const ELECTION_OPS = new Set(['vote', 'decide', 'read-votes']);

function parseLogs(specs: readonly string[]): Record<string, string> {
  const logs: Record<string, string> = {};
  for (const spec of specs) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1)
      throw new UsageError(`--log wants node=path, got '${spec}'`);
    logs[spec.slice(0, i)] = spec.slice(i + 1);
  }
  return logs;
}

async function loadObservations(file: string): Promise<ReplicaObservation[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readInputText(file));
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new UsageError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (o) =>
        typeof o === 'object' &&
        o !== null &&
        typeof (o as { replica?: unknown }).replica === 'string',
    )
  )
    throw new UsageError(`${file}: expected a JSON array of {replica, ...} observations`);
  return parsed as ReplicaObservation[];
}

function secondsNs(name: string, v: string | undefined): number | undefined {
  const n = parsePositive(name, v);
  return n === undefined ? undefined : n * 1e9;
}

/** `--checkers a,b,c` (or all): every named checker over one history, composed. */
export async function runComposedCheck(
  file: string,
  opts: CheckCliOptions,
): Promise<ComposedResult> {
  if (!isHistoryFormat(opts.format)) {
    throw new UsageError(
      `unknown history format '${opts.format}' (auto, jsonl, edn, porcupine-etcd, porcupine-kv)`,
    );
  }
  const logs = parseLogs(opts.log);
  const hasLogs = Object.keys(logs).length > 0;
  const observations = opts.observations ? await loadObservations(opts.observations) : undefined;
  const asked = (opts.checkers ?? 'linearizability')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of asked)
    if (c !== 'all' && !checkerNames().includes(c))
      throw new UsageError(`unknown checker '${c}' (${checkerNames().join(', ')}, or all)`);
  const loaded = await loadHistory(file, loadOptions(opts));
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  requireOperations(loaded, file);
  const client = loaded.ops.filter((o) => o.process !== 'nemesis');
  const checkers = asked.includes('all')
    ? [
        ...(client.some((o) => MODEL_OPS.has(o.f)) ? ['linearizability'] : []),
        ...(hasLogs || client.some((o) => ELECTION_OPS.has(o.f)) ? ['election'] : []),
        'stuck',
        ...(observations ? ['convergence'] : []),
        'perf',
      ]
    : asked;
  const stall = opts.stall === 'auto' ? 'auto' : secondsNs('--stall', opts.stall);
  const quorum = opts.quorum === undefined ? undefined : Number(opts.quorum);
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum > 0))
    throw new UsageError(`--quorum must be a positive integer, got '${opts.quorum}'`);
  const lin = checkers.includes('linearizability')
    ? linearizabilityOptions(opts, loaded)
    : undefined;
  const composed = await runCheckers(loaded.ops, {
    checkers,
    readNil: lin?.readNil ?? loaded.readNil,
    ...(hasLogs ? { logs } : {}),
    ...(observations ? { observations } : {}),
    throwOnError: true,
    options: {
      ...(lin ? { linearizability: lin } : {}),
      election: { parser: opts.parser, ...(quorum ? { quorum } : {}) },
      stuck: {
        ...(stall !== undefined ? { gapThresholdNs: stall } : {}),
        ...(opts.recoveryBound !== undefined
          ? { recoveryBoundNs: secondsNs('--recovery-bound', opts.recoveryBound) }
          : {}),
      },
    },
  });
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, 'result.json'), JSON.stringify(composed, null, 2) + '\n');
    const l = composed.checks.linearizability as LinearizabilityResult | undefined;
    if (l)
      await writeFile(
        join(opts.out, 'violation.html'),
        renderViolationHtml(l, { title: `Linearizability: ${file}` }),
      );
  }
  return composed;
}

const verdictWord = (v: CheckResult['valid']) =>
  v === true ? 'valid' : v === false ? 'INVALID' : 'unknown';

/** One block per checker, then the composed verdict. */
export function formatComposedText(file: string, r: ComposedResult): string {
  const out: string[] = [`${file}:`];
  for (const [name, c] of Object.entries(r.checks)) {
    out.push(
      `${name}: ${verdictWord(c.valid)}${typeof c.reason === 'string' ? ` (${c.reason})` : ''}${typeof c.error === 'string' ? ` (${c.error})` : ''}`,
    );
    if (name === 'linearizability') {
      for (const v of (c.violations ?? []) as LinearizabilityViolation[])
        out.push(
          ...formatViolationText(v)
            .split('\n')
            .map((l) => `  ${l}`),
        );
      continue;
    }
    for (const v of (Array.isArray(c.violations) ? c.violations : []) as Array<{
      message?: string;
      evidence?: Array<{ where: string }>;
    }>) {
      if (v.message) out.push(`  - ${v.message}`);
      for (const e of (v.evidence ?? []).slice(0, 4)) out.push(`      ${e.where}`);
    }
    if (Array.isArray(c.summary))
      for (const line of c.summary as unknown[])
        if (typeof line === 'string') out.push(`  ${line}`);
    if (Array.isArray(c.differences))
      for (const d of c.differences as Array<{ message: string }>) out.push(`  - ${d.message}`);
  }
  out.push(`overall: ${verdictWord(r.valid)} (${Object.keys(r.checks).join(', ')})`);
  return out.join('\n') + '\n';
}

async function runCheck(
  file: string,
  opts: CheckCliOptions,
): Promise<{ result: LinearizabilityResult; code: number }> {
  if (!isHistoryFormat(opts.format)) {
    throw new UsageError(
      `unknown history format '${opts.format}' (auto, jsonl, edn, porcupine-etcd, porcupine-kv)`,
    );
  }
  const loaded = await loadHistory(file, loadOptions(opts));
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  requireOperations(loaded, file);
  const result = await checkLinearizability(loaded.ops, linearizabilityOptions(opts, loaded));
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(
      join(opts.out, 'violation.html'),
      renderViolationHtml(result, { title: `Linearizability: ${file}` }),
    );
  }
  return { result, code: exitCodeFor(result.valid) };
}

/** How to load the history the flags name (format, meaning of a failed cas). */
function loadOptions(opts: CheckCliOptions): LoadOptions {
  if (opts.casFail !== undefined && !isCasFail(opts.casFail))
    throw new UsageError(`--cas-fail must be refused or did-not-happen, got '${opts.casFail}'`);
  return {
    format: opts.format as never,
    ...(opts.casFail === undefined ? {} : { casFail: opts.casFail }),
  };
}

/** cas-register for Porcupine etcd logs, kv for Porcupine kv logs; else guessed from the ops. */
export function defaultModel(format: string, ops: History): ModelName {
  if (format === 'porcupine-kv') return 'kv';
  if (format === 'porcupine-etcd') return 'cas-register';
  const fs = new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.f));
  if (fs.has('get') || fs.has('put') || fs.has('append')) return 'kv';
  if (fs.has('acquire') || fs.has('release')) return 'mutex';
  if (fs.has('enqueue') || fs.has('dequeue')) return 'fifo-queue';
  if (fs.has('add')) return 'set';
  if (fs.has('txn')) return 'multi-register';
  return 'cas-register';
}

export function formatResultText(file: string, r: LinearizabilityResult): string {
  const lines: string[] = [];
  const verdict =
    r.valid === true ? 'LINEARIZABLE' : r.valid === false ? 'NOT LINEARIZABLE' : 'UNKNOWN';
  lines.push(
    `${file}: ${verdict} (model ${r.model}, ${r.ops} ops, ${r.failedOps} failed dropped${r.refusedOps > 0 ? `, ${r.refusedOps} refused kept` : ''}, ${r.partitions.length} partition(s), ${r.timeMs.toFixed(1)} ms)`,
  );
  for (const v of r.violations) lines.push('', formatViolationText(v));
  for (const u of r.undecided) {
    lines.push(
      '',
      `UNDECIDED${u.key === null ? '' : ` key ${JSON.stringify(u.key)}`}: ${u.reason} (${u.ops} ops, ${u.infoOps} indeterminate, peak concurrency ${u.peakConcurrency}, deepest prefix ${u.deepestPrefix})`,
    );
  }
  return lines.join('\n') + '\n';
}
