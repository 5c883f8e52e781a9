/**
 * `faultline check <history> --model list-append|rw-register [--consistency-model M] [--json]`: the
 * transactional isolation checker (src/checkers/txn) on a stored history. Exit 0 when the asked
 * model holds, 1 when the history rules it out, 2 when the search hit its bound; 64 usage
 * (unknown model), 65 bad input (one line naming file:line, op and field).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { isHistoryFormat } from '../history/detect.js';
import { loadHistory } from '../history/load.js';
import { exitCodeFor } from '../checkers/result.js';
import {
  DEFAULT_CONSISTENCY_MODEL,
  MODELS,
  canonicalModel,
  TXN_DATA_MODELS,
  checkTxns,
  formatTxnResultText,
  type TxnDataModel,
  type TxnCheckResult,
} from '../checkers/txn/index.js';

export const TXN_MODELS = TXN_DATA_MODELS;

export const isTxnModel = (m: string | undefined): boolean =>
  m !== undefined && (TXN_MODELS as readonly string[]).includes(m);

export interface TxnCliOptions {
  model?: string;
  format: string;
  consistencyModel?: string;
  timeLimit?: string;
  json?: boolean;
  out?: string;
}

export async function runTxnCheck(
  file: string,
  opts: TxnCliOptions,
): Promise<{ result: TxnCheckResult; code: number; text: string }> {
  if (!isHistoryFormat(opts.format))
    throw new UsageError(`unknown history format '${opts.format}' (auto, jsonl, edn)`);
  const model = opts.consistencyModel ?? DEFAULT_CONSISTENCY_MODEL;
  if (canonicalModel(model) === undefined)
    throw new UsageError(`unknown consistency model '${model}' (${MODELS.join(', ')})`);
  let timeLimitMs: number | undefined;
  if (opts.timeLimit !== undefined) {
    const s = Number(opts.timeLimit);
    if (!Number.isFinite(s) || s < 0)
      throw new UsageError(`--time-limit must be a non-negative number, got '${opts.timeLimit}'`);
    timeLimitMs = s * 1000;
  }
  const loaded = await loadHistory(file, { format: opts.format as never });
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  const result = checkTxns(loaded.ops, opts.model as TxnDataModel, {
    consistencyModel: model,
    file,
    ...(loaded.lines ? { lines: loaded.lines } : {}),
    ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
  });
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    // Loaded only here: a plain `check` does not pay for the report code (start-up time).
    const { renderTxnHtml } = await import('../report/txn-section.js');
    await writeFile(
      join(opts.out, 'anomalies.html'),
      renderTxnHtml(result, `Transactions: ${file}`),
    );
  }
  const text = opts.json
    ? JSON.stringify(result, null, 2) + '\n'
    : formatTxnResultText(file, result);
  return { result, code: exitCodeFor(result.valid), text };
}
