/**
 * The mapping between EDN data (as parsed by edn-data, default options) and JSON values.
 *
 * Export (JSON -> EDN) is chosen so that our importer reads back exactly what was written:
 * null -> nil, booleans, numbers (integers or floats), strings -> strings, arrays -> vectors,
 * objects -> maps with string keys. Import (EDN -> JSON) also accepts what Jepsen writes:
 * keywords, symbols and chars become strings, lists and sets become arrays, keyword map keys
 * become string keys, tagged values become their value, #inst becomes an ISO string.
 */
import type { JsonValue } from './op.js';

type EdnObj = Record<string, unknown>;

export function isKeyword(v: unknown): v is { key: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as EdnObj).key === 'string' &&
    Object.keys(v).length === 1
  );
}

/** A keyword or string, as a plain string; undefined for anything else. */
export function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isKeyword(v)) return v.key;
  return undefined;
}

export class EdnValueError extends Error {}

/** Converts a parsed EDN value to JSON. Throws EdnValueError for values JSON cannot hold. */
export function ednToJson(v: unknown, depth = 0): JsonValue {
  if (depth > 200) throw new EdnValueError('value nested too deeply');
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new EdnValueError(`number ${v} has no JSON form`);
    return v;
  }
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => ednToJson(x, depth + 1));
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new EdnValueError('invalid #inst date');
    return v.toISOString();
  }
  if (typeof v === 'object') {
    const o = v as EdnObj;
    if (Array.isArray(o.map)) {
      const out: Record<string, JsonValue> = {};
      for (const pair of o.map as unknown[][]) {
        setOwn(out, mapKey(pair[0], depth), ednToJson(pair[1], depth + 1));
      }
      return out;
    }
    if (typeof o.key === 'string') return o.key;
    if (typeof o.sym === 'string') return o.sym;
    if (typeof o.char === 'string') return o.char;
    if (Array.isArray(o.list)) return o.list.map((x: unknown) => ednToJson(x, depth + 1));
    if (Array.isArray(o.set)) return o.set.map((x: unknown) => ednToJson(x, depth + 1));
    if (typeof o.tag === 'string') return ednToJson(o.val, depth + 1);
  }
  throw new EdnValueError(`unsupported EDN value ${String(v)}`);
}

function mapKey(k: unknown, depth: number): string {
  const j = ednToJson(k, depth + 1);
  return typeof j === 'string' ? j : JSON.stringify(j);
}

/** Sets an own property even for "__proto__", which plain assignment would treat specially. */
export function setOwn(o: Record<string, JsonValue>, k: string, v: JsonValue): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// Names we may write as keywords: conservative so both edn-data and Clojure's reader accept them.
const KEYWORD_NAME = /^[A-Za-z][A-Za-z0-9*+!_?<>=.-]*$/;

export function isKeywordName(s: string): boolean {
  return KEYWORD_NAME.test(s) && !s.endsWith('.');
}

/** An EDN string literal. Only escapes both edn-data and Clojure read: \" \\ \n \t \r \b \f \uXXXX. */
export function ednString(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x0a) esc = '\\n';
    else if (c === 0x09) esc = '\\t';
    else if (c === 0x0d) esc = '\\r';
    else if (c < 0x20 || c === 0x7f) esc = unicodeEscape(c);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair: written as UTF-8
        continue;
      }
      esc = unicodeEscape(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) esc = unicodeEscape(c); // lone low surrogate
    if (esc !== undefined) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

function unicodeEscape(c: number): string {
  return '\\u' + c.toString(16).padStart(4, '0');
}

/** A JSON value as EDN text that ednToJson(parse(text)) maps back to the identical value. */
export function jsonToEdn(v: JsonValue): string {
  if (v === null) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return ednNumber(v);
  if (typeof v === 'string') return ednString(v);
  if (Array.isArray(v)) return '[' + v.map(jsonToEdn).join(' ') + ']';
  const parts: string[] = [];
  for (const k of Object.keys(v)) parts.push(ednString(k) + ' ' + jsonToEdn(v[k] as JsonValue));
  return '{' + parts.join(', ') + '}';
}

function ednNumber(n: number): string {
  if (!Number.isFinite(n)) throw new EdnValueError(`number ${n} has no EDN form`);
  if (Object.is(n, -0)) return '0'; // as JSON does
  return String(n); // e.g. 12, 1.5, 1e+21, 5e-324: all read back as the same double
}
