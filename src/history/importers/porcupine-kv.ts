/**
 * Porcupine's key-value logs (test_data/kv/cNN-{ok,bad}.txt): one EDN map per line,
 * `{:process 3, :type :invoke|:ok, :f :get|:put|:append, :key "k", :value "v"|nil}`.
 * They are EDN op maps without times, so the EDN importer reads them (time = index).
 */
import { importEdn, type ImportResult } from './edn.js';

export function importPorcupineKv(text: string, opts: { file: string }): ImportResult {
  return importEdn(text, { file: opts.file });
}
