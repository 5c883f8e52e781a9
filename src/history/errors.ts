/**
 * Typed errors for bad history input. Every problem names the file and the line (1-based) so the
 * CLI can print one clear line (`file:line: field 'time': ...`) instead of a stack trace.
 */
import type { InputProblem } from '../errors.js';

export interface HistoryFormatErrorInit {
  file: string;
  /** 1-based line where the problem starts (the op's first line for multi-line EDN maps). */
  line: number;
  /** The op field at fault, when there is one (`time`, `process`, ...). */
  field?: string;
  /** What was wrong, without the location. */
  reason: string;
  /** Position of the op in the history, when known (validation problems). */
  opIndex?: number;
}

export class HistoryFormatError extends Error implements InputProblem {
  override readonly name = 'HistoryFormatError';
  readonly file: string;
  readonly line: number;
  readonly field: string | undefined;
  readonly reason: string;
  readonly opIndex: number | undefined;

  constructor(init: HistoryFormatErrorInit) {
    super(formatProblem(init));
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
    this.reason = init.reason;
    this.opIndex = init.opIndex;
  }

  /** One line for humans: `file:line: [op N: ][field 'f': ]reason`. */
  get userMessage(): string {
    return this.message;
  }
}

/** A history file that holds no operation at all (empty, or every line skipped as noise). */
export class NoOperationsError extends Error implements InputProblem {
  override readonly name = 'NoOperationsError';
  constructor(
    readonly file: string,
    /** What the importer skipped, when it skipped anything. */
    readonly detail?: string,
  ) {
    super(`no operations found in ${file}${detail === undefined ? '' : ` (${detail})`}`);
  }

  get userMessage(): string {
    return this.message;
  }
}

export function formatProblem(
  p: Omit<HistoryFormatErrorInit, 'reason'> & { reason: string },
): string {
  const op = p.opIndex === undefined ? '' : `op ${p.opIndex}: `;
  const field = p.field === undefined ? '' : `field '${p.field}': `;
  return `${p.file}:${p.line}: ${op}${field}${p.reason}`;
}

/** Short, single-line rendering of a bad value for error messages. */
export function describeValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
