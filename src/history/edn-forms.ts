/**
 * Splits EDN text into top-level forms with the line each starts on, before handing each form
 * to edn-data. edn-data is lenient (an unbalanced bracket can silently yield a wrong value, and
 * it keeps no line numbers), so bracket balance, strings and comments are checked here, and a
 * problem is reported at the line where it starts.
 */
export interface EdnForm {
  /** Offsets into the text: [start, end). */
  start: number;
  end: number;
  /** 1-based line of the form's first character. */
  line: number;
}

export class EdnSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

const CLOSER: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

function isSpace(c: string): boolean {
  return c === ' ' || c === ',' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
}

function isDelimiter(c: string): boolean {
  return (
    isSpace(c) ||
    c === '{' ||
    c === '}' ||
    c === '[' ||
    c === ']' ||
    c === '(' ||
    c === ')' ||
    c === '"' ||
    c === ';'
  );
}

/**
 * Scans text[from, to) and returns its top-level forms. `line` is the line number at `from`.
 * A `#tag` or `#_` prefix is kept with the form it applies to. Maps must hold an even number of
 * forms (edn-data would silently drop a dangling key).
 */
export function splitEdnForms(text: string, from = 0, to = text.length, line = 1): EdnForm[] {
  const forms: EdnForm[] = [];
  let i = from;
  let formStart = -1;
  let formLine = 0;
  let pendingPrefix = false; // a #tag/#_ was read and waits for its form
  // Open brackets; each counts its completed child forms (#_ discards are not counted).
  const stack: { close: string; isMap: boolean; line: number; count: number; discard: number }[] =
    [];
  let topDiscard = 0;

  /** A form just completed at the current depth, ending at `end`. */
  const completed = (end: number): void => {
    pendingPrefix = false;
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      if (top.discard > 0) top.discard--;
      else top.count++;
      return;
    }
    if (topDiscard > 0) topDiscard--;
    if (formStart >= 0) {
      forms.push({ start: formStart, end, line: formLine });
      formStart = -1;
    }
  };
  const beginForm = (at: number): void => {
    if (stack.length === 0 && formStart < 0) {
      formStart = at;
      formLine = line;
    }
  };
  const open = (close: string, isMap: boolean): void => {
    pendingPrefix = false;
    stack.push({ close, isMap, line, count: 0, discard: 0 });
  };

  while (i < to) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < to && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      beginForm(i);
      const startLine = line;
      i++;
      for (;;) {
        if (i >= to) throw new EdnSyntaxError(startLine, 'unterminated string');
        const d = text[i]!;
        if (d === '\\') {
          if (text[i + 1] === '\n') line++;
          i += 2;
        } else if (d === '"') break;
        else {
          if (d === '\n') line++;
          i++;
        }
      }
      i++;
      completed(i);
      continue;
    }
    if (c === '{' || c === '[' || c === '(') {
      beginForm(i);
      open(CLOSER[c]!, c === '{');
      i++;
      continue;
    }
    if (c === '}' || c === ']' || c === ')') {
      const top = stack.pop();
      if (top === undefined) throw new EdnSyntaxError(line, `unexpected '${c}' with nothing open`);
      if (top.close !== c) {
        throw new EdnSyntaxError(
          line,
          `'${c}' does not match the bracket opened on line ${top.line} (expected '${top.close}')`,
        );
      }
      if (pendingPrefix || top.discard > 0)
        throw new EdnSyntaxError(line, `a # tag before '${c}' has no value`);
      if (top.isMap && top.count % 2 === 1)
        throw new EdnSyntaxError(top.line, 'map has a key without a value');
      i++;
      completed(i);
      continue;
    }
    // A token: symbol, keyword, number, char literal, or a #tag / #_ / #{ prefix.
    beginForm(i);
    if (c === '#' && text[i + 1] === '{') {
      open('}', false);
      i += 2;
      continue;
    }
    const tokenStart = i;
    if (c === '\\') {
      // Char literal: the next char belongs to it even if it is a delimiter.
      if (text[i + 1] === '\n') line++;
      i += 2;
    } else i++;
    while (i < to && !isDelimiter(text[i]!)) i++;
    if (c === '#') {
      pendingPrefix = true; // the tag applies to the next form
      if (text.startsWith('#_', tokenStart)) {
        const top = stack[stack.length - 1];
        if (top !== undefined) top.discard++;
        else topDiscard++;
      }
      continue;
    }
    completed(i);
  }
  const top = stack.pop();
  if (top !== undefined)
    throw new EdnSyntaxError(
      top.line,
      `'${CLOSER_TO_OPEN[top.close]}' opened here is never closed`,
    );
  if (pendingPrefix || topDiscard > 0)
    throw new EdnSyntaxError(formLine, 'a # tag at the end of the input has no value');
  return forms;
}

const CLOSER_TO_OPEN: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
