/**
 * The smallest failing sub-history of a stored run (`history.min.jsonl` next to its history.jsonl):
 * the handful of ops that make up the anomaly, found offline and deterministically from what the
 * run recorded. The daemon writes it for every failing trial and for each minimized case.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../history/op.js';
import { serializeOp } from '../history/jsonl.js';
import { loadHistory } from '../history/load.js';
import type { CheckPlan } from '../run/checks.js';
import { minimizeHistory, NotFailingError, type MinimizedHistory } from './history.js';
import { inRun } from '../run-layout.js';

export const MIN_HISTORY_FILE = 'history.min.jsonl';

/** Minimizes `<runDir>/history.jsonl` under the run's linearizability options; undefined if it passes. */
export async function minimizeRunHistory(
  runDir: string,
  plan?: CheckPlan,
): Promise<Omit<MinimizedHistory, 'history'> | undefined> {
  const file = inRun(runDir, 'history');
  if (!existsSync(file)) return undefined;
  const { ops } = await loadHistory(file, { format: 'jsonl' });
  const lin = (plan?.options.linearizability ?? {}) as {
    model?: string;
    initial?: JsonValue;
    split?: boolean;
  };
  try {
    const r = await minimizeHistory(ops, {
      model: (lin.model ?? 'cas-register') as never,
      readNil: plan?.readNil ?? 'absent',
      split: lin.split ?? true,
      ...(lin.initial === undefined ? {} : { initial: lin.initial }),
    });
    writeFileSync(
      join(runDir, MIN_HISTORY_FILE),
      r.history.map((op) => serializeOp(op) + '\n').join(''),
    );
    const { history: _h, ...sizes } = r;
    return sizes;
  } catch (err) {
    if (err instanceof NotFailingError) return undefined; // not a linearizability failure
    throw err;
  }
}
