/**
 * `faultline check <file>`: offline linearizability check of a stored history (our JSONL,
 * Jepsen/Knossos EDN, Porcupine logs). Exit 0 linearizable, 1 not, 2 unknown (a bound was hit);
 * 64 usage, 65 bad input.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { isHistoryFormat } from '../history/detect.js';
import { loadHistory } from '../history/load.js';
import type { History, JsonValue } from '../history/op.js';
import { exitCodeFor } from '../checkers/result.js';
import {
  MODEL_NAMES,
  checkLinearizability,
  formatViolationText,
  isModelName,
  type LinearizabilityResult,
  type ModelName,
} from '../checkers/linearizability/index.js';
import { renderViolationHtml } from '../checkers/linearizability/render.js';

interface CheckCliOptions {
  model?: string;
  initial?: string;
  format: string;
  readNil?: string;
  split: boolean;
  timeLimit?: string;
  memoryLimit?: string;
  full?: boolean;
  json?: boolean;
  out?: string;
  workers?: string;
}

export function registerCheckCommands(program: Command): void {
  program
    .command('check <file>')
    .description('check a history for linearizability against a model; exit 0 yes, 1 no, 2 unknown')
    .option(
      '--model <name>',
      `model: ${MODEL_NAMES.join(', ')} (default: cas-register for porcupine-etcd, kv for porcupine-kv)`,
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
    .action(async (file: string, opts: CheckCliOptions) => {
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

async function runCheck(
  file: string,
  opts: CheckCliOptions,
): Promise<{ result: LinearizabilityResult; code: number }> {
  if (!isHistoryFormat(opts.format)) {
    throw new UsageError(
      `unknown history format '${opts.format}' (auto, jsonl, edn, porcupine-etcd, porcupine-kv)`,
    );
  }
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

  const loaded = await loadHistory(file, { format: opts.format as never });
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  const model = opts.model ?? defaultModel(loaded.format, loaded.ops);
  const result = await checkLinearizability(loaded.ops, {
    model: model as never,
    readNil: (opts.readNil as 'absent' | 'unknown' | undefined) ?? loaded.readNil,
    split: opts.split,
    full: opts.full ?? false,
    ...(initial === undefined ? {} : { initial }),
    ...(timeLimit === undefined ? {} : { timeLimitMs: timeLimit * 1000 }),
    ...(memoryMiB === undefined ? {} : { memoryLimitBytes: memoryMiB * 1024 * 1024 }),
    ...(workers === undefined ? {} : { workers: Math.floor(workers) }),
  });
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

/** cas-register for Porcupine etcd logs, kv for Porcupine kv logs; else guessed from the ops. */
export function defaultModel(format: string, ops: History): ModelName {
  if (format === 'porcupine-kv') return 'kv';
  if (format === 'porcupine-etcd') return 'cas-register';
  const fs = new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.f));
  if (fs.has('get') || fs.has('put') || fs.has('append')) return 'kv';
  if (fs.has('acquire') || fs.has('release')) return 'mutex';
  if (fs.has('enqueue') || fs.has('dequeue')) return 'fifo-queue';
  if (fs.has('add')) return 'set';
  return 'cas-register';
}

export function formatResultText(file: string, r: LinearizabilityResult): string {
  const lines: string[] = [];
  const verdict =
    r.valid === true ? 'LINEARIZABLE' : r.valid === false ? 'NOT LINEARIZABLE' : 'UNKNOWN';
  lines.push(
    `${file}: ${verdict} (model ${r.model}, ${r.ops} ops, ${r.failedOps} failed dropped, ${r.partitions.length} partition(s), ${r.timeMs.toFixed(1)} ms)`,
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
