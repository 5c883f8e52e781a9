/** A run directory (or a history.jsonl) as latency samples for `compare`, `run --baseline`, daemon. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { opSamples, type Samples } from '../checkers/perf/samples.js';
import { loadHistory } from '../history/load.js';

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  get userMessage(): string {
    return this.message;
  }
}

/** `<run>/history.jsonl`, or the file itself when given one. */
export function historyFileOf(run: string): string {
  if (!existsSync(run)) throw new RunNotFoundError(`${run}: no such run directory or history file`);
  const file = statSync(run).isDirectory() ? join(run, 'history.jsonl') : run;
  if (!existsSync(file))
    throw new RunNotFoundError(`${run}: no history.jsonl in this run directory`);
  return file;
}

export async function loadRunSamples(run: string): Promise<Samples> {
  const { ops } = await loadHistory(historyFileOf(run), { format: 'jsonl' });
  return opSamples(ops);
}
