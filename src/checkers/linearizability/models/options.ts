import type { JsonValue } from '../../../history/op.js';

/** Options every built-in model understands. */
export interface ModelOptions {
  /** Initial state as JSON (register: the value, default null; kv: a string or {key: string}). */
  initial?: JsonValue;
  /** An ok read of null: 'absent' = never written (Porcupine etcd), 'unknown' = no constraint (Knossos). */
  readNil?: 'absent' | 'unknown';
}
