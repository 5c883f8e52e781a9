/**
 * `faultline minimize <history>`: shrink a history that fails the linearizability checker to a
 * 1-minimal failing sub-history (delta debugging over keys, processes and whole ops; no cluster).
 * Writes it as JSONL and prints the sizes before and after. Exit 1 when a minimized violation was
 * written (the input is not linearizable), 0/2 when there is nothing to minimize.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MODEL_NAMES, isModelName } from '../checkers/linearizability/index.js';
import { isHistoryFormat } from '../history/detect.js';
import { serializeOp } from '../history/jsonl.js';
import { loadHistory } from '../history/load.js';
import type { JsonValue } from '../history/op.js';
import { minimizeHistory, NotFailingError } from '../minimize/history.js';
import { UsageError } from './errors.js';
import { examples } from './help.js';

interface MinimizeCliOptions {
  model?: string;
  format: string;
  readNil?: string;
  initial?: string;
  split: boolean;
  out?: string;
  json?: boolean;
}

export function registerMinimizeCommands(program: Command): void {
  program
    .command('minimize <history>')
    .addHelpText(
      'after',
      examples([
        [
          'the smallest sub-history of a run that is still not linearizable',
          'minimize results/latest/history.jsonl --model cas-register',
        ],
        [
          'the same for an EDN history, written to a file of your choice',
          'minimize history.edn --model register -o history.min.jsonl',
        ],
      ]),
    )
    .description('shrink a non-linearizable history to a 1-minimal failing sub-history (JSONL)')
    .option(
      '--model <name>',
      `model: ${MODEL_NAMES.join(', ')} (default: cas-register, kv for porcupine-kv)`,
    )
    .option(
      '--format <fmt>',
      'input format: auto, jsonl, edn, porcupine-etcd, porcupine-kv',
      'auto',
    )
    .option('--read-nil <mode>', 'an ok read of nil: absent or unknown (default per format)')
    .option('--initial <json>', 'initial state as JSON')
    .option('--no-split', 'check keyed histories as one object instead of per key')
    .option(
      '-o, --out <file>',
      'where to write the minimized history (default <history>.min.jsonl)',
    )
    .option('--json', 'print sizes as JSON')
    .action(async (file: string, o: MinimizeCliOptions) => {
      if (!isHistoryFormat(o.format)) {
        throw new UsageError(
          `--format: unknown history format '${o.format}' (auto, jsonl, edn, porcupine-etcd, porcupine-kv)`,
        );
      }
      if (o.model !== undefined && !isModelName(o.model)) {
        throw new UsageError(`--model: unknown model '${o.model}' (${MODEL_NAMES.join(', ')})`);
      }
      if (o.readNil !== undefined && o.readNil !== 'absent' && o.readNil !== 'unknown') {
        throw new UsageError(`--read-nil: expected absent or unknown, got '${o.readNil}'`);
      }
      let initial: JsonValue | undefined;
      if (o.initial !== undefined) {
        try {
          initial = JSON.parse(o.initial) as JsonValue;
        } catch {
          throw new UsageError(`--initial: expected JSON, got '${o.initial}'`);
        }
      }
      const loaded = await loadHistory(file, { format: o.format as never });
      for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
      const model = o.model ?? (loaded.format === 'porcupine-kv' ? 'kv' : 'cas-register');
      let result;
      try {
        result = await minimizeHistory(loaded.ops, {
          model: model as never,
          readNil: (o.readNil as 'absent' | 'unknown' | undefined) ?? loaded.readNil,
          split: o.split,
          ...(initial === undefined ? {} : { initial }),
        });
      } catch (err) {
        if (err instanceof NotFailingError) {
          process.stdout.write(`${file}: ${err.message}\n`);
          process.exitCode = err.verdict === 'unknown' ? 2 : 0;
          return;
        }
        throw err;
      }
      const out = o.out ?? `${file.replace(/\.(jsonl|log|edn|txt)$/, '')}.min.jsonl`;
      await writeFile(out, result.history.map((op) => serializeOp(op) + '\n').join(''));
      const b = result.before;
      const a = result.after;
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ file, out, model, ...result, history: undefined }, null, 2) + '\n',
        );
      } else {
        process.stdout.write(
          `${file}: minimized (model ${model}, ${result.tests} checks, ${Math.round(result.timeMs)} ms)\n` +
            `  before: ${b.ops} ops (${b.events} events), ${b.keys} key(s), ${b.processes} process(es)\n` +
            `  after:  ${a.ops} ops (${a.events} events), ${a.keys} key(s), ${a.processes} process(es)\n` +
            `  wrote ${out}\n`,
        );
      }
      process.exitCode = 1;
    });
}
