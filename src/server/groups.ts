/**
 * Soak directories written by `faultline daemon`: daemon.json (its state) and groups.json (failing
 * trials grouped by failure signature). Both are read as loosely-typed JSON: the server shows what
 * is there and says plainly when a file cannot be read, rather than refusing the whole page.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { soakFile } from '../run-layout.js';

export interface RunRef {
  /** Its id under the results root when it lies there (then it is a link), else null. */
  id: string | null;
  path: string;
}

export interface FailureGroup {
  signature: string;
  count: number;
  /** The failing runs, as listed (the daemon keeps the most recent ones). */
  runs: RunRef[];
  first: string | null;
  last: string | null;
  /** Shrunk reproductions, when the daemon made some. */
  minimized: { run: RunRef; before: string; after: string; reproduced: string }[];
}

export interface Soak {
  /** Directory relative to the results root ('' when the root itself is the soak). */
  id: string;
  /** daemon.json as written, or null. */
  daemon: Record<string, unknown> | null;
  groups: FailureGroup[];
  problems: string[];
}

async function readJson(file: string): Promise<{ value?: unknown; problem?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { problem: `${file}: ${(err as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { problem: `${file}: not valid JSON (${(err as Error).message})` };
  }
}

/** A run path from groups.json -> its id under `root` if it is there (absolute, or relative to the soak or root). */
export function runIdFor(root: string, soakDir: string, p: string): string | null {
  const candidates = isAbsolute(p) ? [p] : [join(soakDir, p), join(root, p)];
  for (const c of candidates) {
    const rel = relative(root, resolve(c));
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return null;
}

function timeText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  return null;
}

function size(v: unknown): string {
  const o = (v && typeof v === 'object' ? v : {}) as { ops?: unknown; faults?: unknown };
  return `${String(o.ops ?? '?')} ops, ${String(o.faults ?? '?')} faults`;
}

/**
 * Pure: the groups of a parsed groups.json, newest failure first. Accepts the daemon's file
 * (`{version, groups: [{signature, count, runDirs, firstSeen, lastSeen, minimized}]}`) and the
 * plain form (`[{signature, count, runs, first, last}]`).
 */
export function parseGroups(root: string, soakDir: string, value: unknown): FailureGroup[] {
  const list = Array.isArray(value)
    ? value
    : Array.isArray((value as { groups?: unknown } | null)?.groups)
      ? (value as { groups: unknown[] }).groups
      : [];
  const out: FailureGroup[] = [];
  for (const g of list) {
    if (!g || typeof g !== 'object') continue;
    const o = g as Record<string, unknown>;
    const ref = (path: string): RunRef => ({ id: runIdFor(root, soakDir, path), path });
    const dirs = Array.isArray(o.runDirs) ? o.runDirs : Array.isArray(o.runs) ? o.runs : [];
    const runs = dirs.filter((r): r is string => typeof r === 'string').map(ref);
    const minimized = (Array.isArray(o.minimized) ? o.minimized : [])
      .filter(
        (m): m is Record<string, unknown> =>
          !!m && typeof m === 'object' && typeof (m as { dir?: unknown }).dir === 'string',
      )
      .map((m) => ({
        run: ref(m.dir as string),
        before: size(m.before),
        after: size(m.after),
        reproduced: typeof m.reproduced === 'string' ? m.reproduced : '',
      }));
    out.push({
      signature:
        typeof o.signature === 'string' ? o.signature : JSON.stringify(o.signature ?? null),
      count: typeof o.count === 'number' ? o.count : runs.length,
      runs,
      first: timeText(o.firstSeen ?? o.first),
      last: timeText(o.lastSeen ?? o.last),
      minimized,
    });
  }
  return out.sort((a, b) => (b.last ?? '').localeCompare(a.last ?? '') || b.count - a.count);
}

export async function readSoak(root: string, id: string): Promise<Soak> {
  const dir = id ? join(root, ...id.split('/')) : root;
  const [d, g] = await Promise.all([
    readJson(join(dir, soakFile.daemon)),
    readJson(join(dir, soakFile.groups)),
  ]);
  const problems = [d.problem, g.problem].filter((p): p is string => !!p);
  const daemon =
    d.value && typeof d.value === 'object' && !Array.isArray(d.value)
      ? (d.value as Record<string, unknown>)
      : null;
  return {
    id,
    daemon,
    groups: g.value === undefined ? [] : parseGroups(root, dir, g.value),
    problems,
  };
}
