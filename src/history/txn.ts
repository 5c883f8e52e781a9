/**
 * Transactions in a history (the representation issue 12.5 and issue 16 share, see COORD):
 * an op with `f: "txn"` carries as `value` a list of micro-ops `[f, key, value]`, f one of
 * `r`, `w`, `append`. In an invoke reads carry `null`; in the ok completion they carry what was
 * read (a list for list-append, a scalar for registers). EDN `[[:r 1 nil] [:w 2 3]]` is JSON
 * `[["r",1,null],["w",2,3]]`.
 *
 * This module owns the shape: the type, the structural check every loader runs (a malformed
 * micro-op or an unknown micro-op function is bad input, one line naming file:line, op and
 * field) and the accessors checkers use. What a read must hold (a list, a scalar) is the
 * checker's business: see `txnFormatError`.
 */
import { HistoryFormatError, describeValue } from './errors.js';
import type { JsonValue, Key, Op } from './op.js';

export const TXN_F = 'txn';

export type MicroOpF = 'r' | 'w' | 'append';
export const MICRO_OP_FS: readonly MicroOpF[] = ['r', 'w', 'append'];
/** Knossos's older spellings (its multi-register histories), accepted and read as r / w. */
export const MICRO_OP_ALIASES: Readonly<Record<string, MicroOpF>> = { read: 'r', write: 'w' };

/** One micro-op: `[f, key, value]`. */
export type MicroOp = [f: MicroOpF, key: Key, value: JsonValue];

export const isTxnOp = (op: Op): boolean => op.f === TXN_F && op.process !== 'nemesis';

/** Why a txn value is malformed, with the field path (`value[2][1]`), or undefined if fine. */
export function txnShapeProblem(value: unknown): { field: string; reason: string } | undefined {
  if (!Array.isArray(value))
    return {
      field: 'value',
      reason: `a txn needs a list of micro-ops [f, key, value], got ${describeValue(value)}`,
    };
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    const field = `value[${i}]`;
    if (!Array.isArray(m) || m.length !== 3)
      return {
        field,
        reason: `a micro-op is [f, key, value] (e.g. ["append", 9, 2]), got ${describeValue(m)}`,
      };
    const [f, k] = m as unknown[];
    if (
      typeof f !== 'string' ||
      !((MICRO_OP_FS as readonly string[]).includes(f) || f in MICRO_OP_ALIASES)
    )
      return {
        field: `${field}[0]`,
        reason: `unknown micro-op function ${describeValue(f)} (r, w or append)`,
      };
    if (!(typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k))))
      return {
        field: `${field}[1]`,
        reason: `a key is a number or string, got ${describeValue(k)}`,
      };
  }
  return undefined;
}

/** The micro-ops of a txn op (after the loader's check), aliases read as r / w. */
export const microOps = (op: Op): readonly MicroOp[] => {
  if (!Array.isArray(op.value)) return [];
  const mops = op.value as unknown as MicroOp[];
  if (!mops.some((m) => Array.isArray(m) && (m[0] as string) in MICRO_OP_ALIASES)) return mops;
  return mops.map((m) => {
    const alias = MICRO_OP_ALIASES[m[0] as string];
    return alias ? [alias, m[1], m[2]] : m;
  });
};

/** A bad-input error about one txn op, located like every history error. */
export function txnFormatError(
  at: { file: string; line: number; opIndex: number },
  field: string,
  reason: string,
): HistoryFormatError {
  return new HistoryFormatError({ ...at, field, reason });
}
