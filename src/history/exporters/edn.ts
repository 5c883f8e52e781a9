/**
 * Writes a history as Jepsen-style EDN, one op map per line, so Jepsen's own tools (Knossos,
 * Elle) can read it: `{:index 0, :time 12, :type :invoke, :process 0, :f :read, :value nil}`.
 *
 * The mapping is exact for our importer: history -> EDN -> history gives identical ops.
 * type/f/error become keywords when they are valid keyword names (f or error otherwise stay
 * strings, which the importer reads the same way); values map JSON -> EDN as in edn-values.ts
 * (strings stay strings, arrays become vectors, objects become maps with string keys); nemesis
 * invocations are written as :invoke (not Jepsen's :info) so the pairing survives exactly.
 * A txn's micro-ops get keyword functions, as Elle reads them: `[[:append 9 2] [:r 8 [1]]]`.
 */
import { ednString, isKeywordName, jsonToEdn } from '../edn-values.js';
import type { JsonValue, Op } from '../op.js';
import { isTxnOp, txnShapeProblem } from '../txn.js';

export interface EdnExportOptions {
  /** Header comment declaring how nil reads are meant (see historyToEdn). */
  readNil?: 'absent' | 'unknown';
  /**
   * Write keyed ops Jepsen's `independent` way, `:value [k v]` with no `:key`, as Knossos and
   * Jepsen's independent checker expect. Read back with the importer's `independent` option.
   */
  independent?: boolean;
}

export function opToEdn(op: Op, opts: EdnExportOptions = {}): string {
  const process = op.process === 'nemesis' ? ':nemesis' : op.process;
  let s = `{:index ${op.index}, :time ${ednNumber(op.time)}, :type :${op.type}, :process ${process}, :f ${nameToEdn(op.f)}`;
  const key =
    op.key === undefined
      ? undefined
      : typeof op.key === 'number'
        ? ednNumber(op.key)
        : ednString(op.key);
  if (key !== undefined && opts.independent) {
    s += `, :value [${key} ${op.value === undefined ? 'nil' : jsonToEdn(op.value)}]`;
  } else {
    if (key !== undefined) s += `, :key ${key}`;
    if (op.value !== undefined)
      s += `, :value ${isTxnOp(op) ? txnValueToEdn(op.value) : jsonToEdn(op.value)}`;
  }
  if (op.error !== undefined) {
    s += `, :error ${typeof op.error === 'string' ? nameToEdn(op.error) : jsonToEdn(op.error)}`;
  }
  if (op.node !== undefined) s += `, :node ${ednString(op.node)}`;
  // Not Jepsen's: Knossos ignores the key (and reads the op as did-not-happen, its meaning).
  if (op.precondition === false) s += ', :precondition false';
  return s + '}';
}

/**
 * A whole history as EDN text, one op per line. With `readNil`, a first-line comment records how
 * nil reads are meant, so a JSONL history (nil = absent) keeps its meaning through EDN; other
 * EDN readers ignore comments.
 */
export function historyToEdn(ops: Iterable<Op>, opts: EdnExportOptions = {}): string {
  let out = opts.readNil === undefined ? '' : `${READ_NIL_COMMENT}${opts.readNil}\n`;
  for (const op of ops) out += opToEdn(op, opts) + '\n';
  return out;
}

const READ_NIL_COMMENT = ';; faultline history; read-nil: ';
const READ_NIL_RE = /^;; faultline history; read-nil: (absent|unknown)\r?\n/;

/** The read-nil meaning declared by historyToEdn's header comment, if the text has one. */
export function declaredReadNil(text: string): 'absent' | 'unknown' | undefined {
  const m = READ_NIL_RE.exec(text);
  return m === null ? undefined : (m[1] as 'absent' | 'unknown');
}

/** Micro-ops with keyword functions; the importer reads keywords back as the same strings. */
function txnValueToEdn(value: JsonValue): string {
  if (txnShapeProblem(value) !== undefined || !Array.isArray(value)) return jsonToEdn(value);
  const mops = value.map((m) => {
    const [f, k, v] = m as [string, JsonValue, JsonValue];
    return `[:${f} ${jsonToEdn(k)} ${jsonToEdn(v)}]`;
  });
  return `[${mops.join(' ')}]`;
}

function nameToEdn(name: string): string {
  return isKeywordName(name) ? ':' + name : ednString(name);
}

function ednNumber(n: number): string {
  return jsonToEdn(n);
}
