/**
 * Fast path of the EDN importer for the shape histories almost always have: top-level op maps
 * `{:kw value, ...}` whose values are keywords, integers, nil/true/false, strings without escapes
 * and vectors of those. It scans the text once and hands each map's fields to the importer in
 * the representation edn-data would have produced (keywords as `{key}`, vectors as arrays), so
 * the importer's per-op logic is the same on both paths. Anything else (floats, escapes, tags,
 * lists, sets, nested maps, a top-level vector, a duplicate key...) makes it give up: the
 * importer then reads the whole text on the strict path (splitEdnForms + edn-data), which also
 * produces the exact error position when the input is bad.
 */

/** Called per op map: its fields (reused between calls: read them, don't keep the map). */
export type FieldsVisitor = (fields: Map<string, unknown>, line: number) => void;

const keywords = new Map<string, { key: string }>();
function keyword(name: string): { key: string } {
  let k = keywords.get(name);
  if (k === undefined) {
    k = { key: name };
    if (keywords.size < 4096) keywords.set(name, k);
  }
  return k;
}

// Character classes, by char code < 128.
const SPACE = 1; // whitespace and commas
const DELIM = 2; // ends a token
const NAME = 4; // may appear in a keyword we accept
const cls = new Uint8Array(128);
for (const c of ' ,\t\r\n\f') cls[c.charCodeAt(0)]! |= SPACE | DELIM;
for (const c of '{}[]()";') cls[c.charCodeAt(0)]! |= DELIM;
for (let c = 0; c < 128; c++) {
  const s = String.fromCharCode(c);
  if (/[A-Za-z0-9*+!_?<>=.-]/.test(s)) cls[c]! |= NAME;
}

class GiveUp extends Error {}
const GIVE_UP = new GiveUp();
const INCOMPLETE = new GiveUp();

/**
 * Reads every op map of `text` and calls `visit` for each; false (having visited some maps) if
 * the text has anything this fast path does not handle.
 */
export function scanSimpleHistory(text: string, visit: FieldsVisitor): boolean {
  return scanChunk(text, visit, 1, true).ok;
}

/** How far a chunk was read: `ok` false = gave up; else complete maps end at `rest`, on `line`. */
export interface ChunkScan {
  ok: boolean;
  rest: number;
  line: number;
}

/**
 * Scans one chunk of a text read piece by piece. Unless `final`, the chunk must end with a
 * newline (so no token is cut); a map cut at its end is left for the next chunk (`rest` is
 * where it starts, `line` its line).
 */
export function scanChunk(
  text: string,
  visit: FieldsVisitor,
  startLine: number,
  final: boolean,
): ChunkScan {
  const n = text.length;
  let i = 0;
  let line = startLine;
  let mapStart = 0;
  let mapLine = startLine;
  const cut = (): never => {
    throw final ? GIVE_UP : INCOMPLETE;
  };
  const fields = new Map<string, unknown>();
  // Whitespace, commas and comments; counts lines.
  const skip = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c === 59 /* ; */) {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? n : nl;
        continue;
      } else if (c >= 128 || (cls[c]! & SPACE) === 0) return;
      i++;
    }
  };
  const delimited = (at: number): boolean => {
    if (at >= n) return true;
    const c = text.charCodeAt(at);
    return c < 128 && (cls[c]! & DELIM) !== 0;
  };
  const name = (): string => {
    const from = i;
    const c0 = text.charCodeAt(i);
    // A keyword name starting with a letter.
    if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) throw GIVE_UP;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 128 || (cls[c]! & NAME) === 0) break;
      i++;
    }
    if (!delimited(i)) throw GIVE_UP;
    return text.slice(from, i);
  };
  const value = (depth: number): unknown => {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) {
      i++;
      return keyword(name());
    }
    if (c === 34 /* " */) {
      const from = i + 1;
      let j = from;
      for (;;) {
        if (j >= n) cut();
        const d = text.charCodeAt(j);
        if (d === 34) break;
        if (d === 92 /* \ */) throw GIVE_UP;
        if (d === 10) line++;
        j++;
      }
      i = j + 1;
      return text.slice(from, j);
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const neg = c === 45;
      const from = neg ? i + 1 : i;
      let j = from;
      let v = 0;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d < 48 || d > 57) break;
        v = v * 10 + (d - 48);
        j++;
      }
      const len = j - from;
      // Leading zeros, -0, more than 15 digits or a float/ratio/bigint suffix: strict path.
      if (len === 0 || len > 15 || (len > 1 && text.charCodeAt(from) === 48) || !delimited(j))
        throw GIVE_UP;
      if (neg && v === 0) throw GIVE_UP;
      i = j;
      return neg ? -v : v;
    }
    if (c === 91 /* [ */) {
      if (depth >= 3) throw GIVE_UP;
      i++;
      const arr: unknown[] = [];
      for (;;) {
        skip();
        if (i >= n) cut();
        if (text.charCodeAt(i) === 93 /* ] */) {
          i++;
          return arr;
        }
        arr.push(value(depth + 1));
      }
    }
    if (c === 110 /* n */ && text.startsWith('nil', i) && delimited(i + 3)) {
      i += 3;
      return null;
    }
    if (c === 116 /* t */ && text.startsWith('true', i) && delimited(i + 4)) {
      i += 4;
      return true;
    }
    if (c === 102 /* f */ && text.startsWith('false', i) && delimited(i + 5)) {
      i += 5;
      return false;
    }
    throw GIVE_UP;
  };
  try {
    if (startLine === 1 && text.charCodeAt(0) === 0xfeff) i = 1;
    for (;;) {
      skip();
      if (i >= n) return { ok: true, rest: n, line };
      if (text.charCodeAt(i) !== 123 /* { */) return { ok: false, rest: i, line };
      mapStart = i;
      mapLine = line;
      i++;
      fields.clear();
      for (;;) {
        skip();
        if (i >= n) cut();
        const c = text.charCodeAt(i);
        if (c === 125 /* } */) {
          i++;
          break;
        }
        if (c !== 58) return { ok: false, rest: i, line }; // keys are keywords
        i++;
        const k = name();
        if (fields.has(k)) return { ok: false, rest: i, line }; // the strict path reports it
        skip();
        if (i >= n) cut();
        fields.set(k, value(0));
      }
      visit(fields, mapLine);
    }
  } catch (err) {
    if (err === INCOMPLETE) return { ok: true, rest: mapStart, line: mapLine };
    if (err === GIVE_UP) return { ok: false, rest: i, line };
    throw err;
  }
}
