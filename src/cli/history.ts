/**
 * `faultline history ...`: inspect, validate and convert histories (our JSONL, Jepsen/Knossos
 * EDN, Porcupine's etcd and kv logs).
 */
import { rename, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { isHistoryFormat, type HistoryFormat } from '../history/detect.js';
import { historyToEdn } from '../history/exporters/edn.js';
import { serializeOp } from '../history/jsonl.js';
import { loadHistory, requireOperations, type LoadedHistory } from '../history/load.js';
import { historyStats, type HistoryStats } from '../history/stats.js';
import { assertValidHistory, formatProblems, validateHistory } from '../history/validate.js';
import { examples } from './help.js';

interface FormatOpts {
  format?: string;
  independent?: boolean;
}

export function registerHistoryCommands(program: Command): void {
  const history = program
    .command('history')
    .description('inspect, validate and convert histories (JSONL, Jepsen EDN, Porcupine logs)');

  history
    .command('stats <file>')
    .addHelpText(
      'after',
      examples([
        [
          "op counts, processes, keys and time span of a run's history",
          'history stats results/latest/history.jsonl',
        ],
        [
          'the same for a Jepsen EDN history with independent [k v] values, as JSON',
          'history stats history.edn --independent --json',
        ],
      ]),
    )
    .description('count ops, invocations, outcomes, processes, nemesis ops, duration and keys')
    .option(
      '--format <fmt>',
      'input format: auto, jsonl, edn, porcupine-etcd, porcupine-kv',
      'auto',
    )
    .option('--independent', 'EDN: split independent [k v] values into key and value')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: FormatOpts & { json?: boolean }) => {
      const h = await load(file, opts);
      const stats = historyStats(h.ops);
      const problems = validateHistory(h.ops, { file, lines: h.lines });
      for (const w of h.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.json) {
        const out = {
          file,
          format: h.format,
          readNil: h.readNil,
          ...stats,
          problems: formatProblems(problems, file),
          warnings: h.warnings,
        };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        process.stdout.write(renderStats(file, h, stats, problems.length));
        for (const line of formatProblems(problems.slice(0, 5), file))
          process.stderr.write(`problem: ${line}\n`);
      }
    });

  history
    .command('validate <file>')
    .addHelpText(
      'after',
      examples([
        [
          'check that a history is well formed (pairs, times, indexes)',
          'history validate results/latest/history.jsonl',
        ],
        ['a Porcupine kv log', 'history validate c01-ok.txt --format porcupine-kv'],
      ]),
    )
    .description(
      'check the history is well formed (pairing, retired processes, times, indexes); exit 65 if not',
    )
    .option(
      '--format <fmt>',
      'input format: auto, jsonl, edn, porcupine-etcd, porcupine-kv',
      'auto',
    )
    .option('--independent', 'EDN: split independent [k v] values into key and value')
    .action(async (file: string, opts: FormatOpts) => {
      const h = await load(file, opts);
      for (const w of h.warnings) process.stderr.write(`warning: ${w}\n`);
      const problems = validateHistory(h.ops, { file, lines: h.lines });
      for (const line of formatProblems(problems.slice(1, 20), file))
        process.stderr.write(`problem: ${line}\n`);
      assertValidHistory(h.ops, { file, lines: h.lines }); // throws the first problem: exit 65
      requireOperations(h, file);
      process.stdout.write(`${file}: ${h.ops.length} ops, well formed (${h.format})\n`);
    });

  history
    .command('convert <in> <out>')
    .addHelpText(
      'after',
      examples([
        [
          "a run's JSONL history to Jepsen EDN (for Knossos or Elle)",
          'history convert results/latest/history.jsonl history.edn',
        ],
        [
          'a Porcupine etcd log to our JSONL',
          'history convert etcd_000.log etcd_000.jsonl --from porcupine-etcd',
        ],
      ]),
    )
    .description('convert a history between formats (output: jsonl or Jepsen-style edn)')
    .option('--from <fmt>', 'input format: auto, jsonl, edn, porcupine-etcd, porcupine-kv', 'auto')
    .option('--to <fmt>', 'output format: jsonl or edn (default: from the output extension)')
    .option('--independent', 'EDN input: split independent [k v] values into key and value')
    .option('--independent-out', 'EDN output: write keyed ops as Jepsen independent [k v] values')
    .action(
      async (
        input: string,
        output: string,
        opts: { from?: string; to?: string; independent?: boolean; independentOut?: boolean },
      ) => {
        const to = opts.to ?? outputFormatOf(output);
        if (to !== 'jsonl' && to !== 'edn')
          throw new UsageError(`--to must be jsonl or edn, got ${to}`);
        const h = await load(input, { format: opts.from, independent: opts.independent });
        for (const w of h.warnings) process.stderr.write(`warning: ${w}\n`);
        const text =
          to === 'edn'
            ? historyToEdn(h.ops, { readNil: h.readNil, independent: opts.independentOut })
            : h.ops.map((op) => serializeOp(op) + '\n').join('');
        // Write beside the target and rename, so a failed conversion never leaves half a file.
        const tmp = `${output}.tmp-${process.pid}`;
        await writeFile(tmp, text);
        await rename(tmp, output);
        process.stderr.write(`${input} (${h.format}) -> ${output} (${to}): ${h.ops.length} ops\n`);
      },
    );
}

async function load(file: string, opts: FormatOpts): Promise<LoadedHistory> {
  const format = opts.format ?? 'auto';
  if (!isHistoryFormat(format))
    throw new UsageError(
      `unknown history format '${format}' (auto, jsonl, edn, porcupine-etcd, porcupine-kv)`,
    );
  return loadHistory(file, {
    format: format as HistoryFormat,
    independent: opts.independent,
    validate: false,
  });
}

function outputFormatOf(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.edn') return 'edn';
  throw new UsageError(`cannot tell the output format of ${path}; pass --to jsonl|edn`);
}

function renderStats(file: string, h: LoadedHistory, s: HistoryStats, problems: number): string {
  const fs = Object.entries(s.byF)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['file', file],
    ['format', `${h.format} (nil reads: ${h.readNil})`],
    ['ops', String(s.ops)],
    [
      'invocations',
      `${s.invocations} (ok ${s.ok}, fail ${s.fail}, info ${s.info}, unfinished ${s.unfinished})`,
    ],
    ['by f', fs || '-'],
    ['processes', String(s.processes)],
    ['nemesis ops', String(s.nemesisOps)],
    ['duration', formatDuration(s.durationNs, h.format)],
    ['keys', String(s.keys)],
    [
      'well formed',
      problems === 0 ? 'yes' : `no (${problems}${problems >= 100 ? '+' : ''} problems)`,
    ],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}\n`).join('');
}

function formatDuration(ns: number, format: string): string {
  if (format === 'porcupine-etcd' || format === 'porcupine-kv')
    return `${ns} steps (the file has no times)`;
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}
