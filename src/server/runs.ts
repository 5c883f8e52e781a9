/**
 * The run index: finds run directories under the results root and keeps a small summary of each,
 * parsed from results.json only when that file's mtime/size changed. Listing thousands of runs
 * costs one readdir per directory plus one stat per run; results.json is parsed once per change.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { inRun, runFile, soakFile } from '../run-layout.js';

export type Verdict = 'valid' | 'invalid' | 'unknown' | 'incomplete';

export interface RunSummary {
  /** Path relative to the results root with `/` separators, e.g. `etcd-3-register/20261121T160024`. */
  id: string;
  test: string;
  verdict: Verdict;
  startedAt: string | null;
  endedAt: string | null;
  seed: number | null;
  path: string | null;
  command: string | null;
  replay: string | null;
  cluster: string | null;
  workload: string | null;
  readConsistency: string | null;
  execution: { ok: number; fail: number; info: number; opsPerSec: number; runMs?: number } | null;
  /** Checker name -> verdict. */
  checks: Record<string, Verdict>;
  error: string | null;
  hasReport: boolean;
  /** No results yet and the live daemon is writing it now (set by the server, not the index). */
  running?: boolean;
  /** Set when results.json exists but could not be read. */
  problem?: string;
}

/** Where a run dir may hide: `<test>/<stamp>` or deeper for daemon soaks (`<soak>/trials/<n>`). */
const MAX_DEPTH = 4;
/** Subdirectories of a run that are never runs themselves. */
const RUN_SUBDIRS = new Set<string>([runFile.logs, runFile.data]);
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/;

export function verdictOf(v: unknown): Verdict {
  return v === true
    ? 'valid'
    : v === false
      ? 'invalid'
      : v === 'unknown'
        ? 'unknown'
        : 'incomplete';
}

/** `20261121T160024[-1]` -> ISO time, for runs that have no results.json yet. */
export function stampTime(name: string): string | null {
  const m = STAMP.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Pure: the summary of a run from its parsed results.json (anything JSON; tolerant of gaps). */
export function summarize(id: string, results: unknown, hasReport: boolean): RunSummary {
  const r = (results && typeof results === 'object' ? results : {}) as Record<string, unknown>;
  const run = (r.run && typeof r.run === 'object' ? r.run : {}) as Record<string, unknown>;
  const ex = (run.execution && typeof run.execution === 'object' ? run.execution : null) as Record<
    string,
    unknown
  > | null;
  const checks: Record<string, Verdict> = {};
  if (r.checks && typeof r.checks === 'object') {
    for (const [name, c] of Object.entries(r.checks as Record<string, unknown>)) {
      checks[name] = verdictOf((c as { valid?: unknown } | null)?.valid);
    }
  }
  const parts = id.split('/');
  const s: RunSummary = {
    id,
    test: str(run.test) ?? parts[parts.length - 2] ?? id,
    verdict: verdictOf(r.valid),
    startedAt: str(run.startedAt) ?? stampTime(basename(id)),
    endedAt: str(run.endedAt),
    seed: num(run.seed),
    path: str(run.path),
    command: str(run.command),
    replay: str(run.replay),
    cluster: str(run.cluster),
    workload: str(run.workload),
    readConsistency: str(run.readConsistency),
    execution: ex
      ? {
          ok: num(ex.ok) ?? 0,
          fail: num(ex.fail) ?? 0,
          info: num(ex.info) ?? 0,
          opsPerSec: num(ex.opsPerSec) ?? 0,
          ...(num(ex.runMs) !== null ? { runMs: num(ex.runMs) as number } : {}),
        }
      : null,
    checks,
    error: str(run.error),
    hasReport,
  };
  return s;
}

function incomplete(id: string, hasReport: boolean, problem?: string): RunSummary {
  const s = summarize(id, {}, hasReport);
  if (problem) s.problem = problem;
  return s;
}

export interface RunFilter {
  test?: string;
  verdict?: Verdict;
  /** Case-insensitive substring of seed, command, id or test. */
  q?: string;
  /** ISO times (inclusive) on startedAt. */
  from?: string;
  to?: string;
}

/** Pure: does `s` pass `f`? */
export function matches(s: RunSummary, f: RunFilter): boolean {
  if (f.test && s.test !== f.test) return false;
  if (f.verdict && s.verdict !== f.verdict) return false;
  if (f.from || f.to) {
    const t = s.startedAt ? Date.parse(s.startedAt) : NaN;
    if (Number.isNaN(t)) return false;
    if (f.from && t < Date.parse(f.from)) return false;
    if (f.to && t > Date.parse(f.to)) return false;
  }
  if (f.q) {
    const q = f.q.toLowerCase();
    const hay = [s.seed === null ? '' : String(s.seed), s.command ?? '', s.id, s.test].join('\n');
    if (!hay.toLowerCase().includes(q)) return false;
  }
  return true;
}

/** Newest first by start time, then by id (stamps sort chronologically). */
export function newestFirst(a: RunSummary, b: RunSummary): number {
  const ta = a.startedAt ?? '';
  const tb = b.startedAt ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

interface CacheEntry {
  key: string;
  summary: RunSummary;
}

export class RunIndex {
  private readonly cache = new Map<string, CacheEntry>();
  private listing: { at: number; runs: Promise<RunSummary[]> } | null = null;

  /**
   * @param root absolute results root
   * @param ttlMs a listing is reused this long, so a burst of requests walks the tree once
   */
  constructor(
    readonly root: string,
    private readonly ttlMs = 1000,
  ) {}

  /** All runs, newest first. */
  async list(): Promise<RunSummary[]> {
    const now = Date.now();
    if (this.listing && now - this.listing.at < this.ttlMs) return this.listing.runs;
    const runs = this.scan().then((r) => r.sort(newestFirst));
    this.listing = { at: now, runs };
    runs.catch(() => (this.listing = null));
    return runs;
  }

  /** One run by its id (a directory relative to the root), or null if it is not a run. */
  async get(id: string): Promise<RunSummary | null> {
    const dir = join(this.root, ...id.split('/'));
    const names = await readdir(dir).catch(() => null);
    if (!names || !isRunDir(names)) return null;
    return this.summaryOf(id, dir, names);
  }

  /** Soak (daemon) directories: those holding daemon.json or groups.json, as ids ('' = root). */
  async soaks(): Promise<string[]> {
    await this.list();
    return this.soakIds;
  }

  private soakIds: string[] = [];

  private async scan(): Promise<RunSummary[]> {
    const dirs: { id: string; dir: string; names: string[] }[] = [];
    const soaks: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const names = entries.map((e) => e.name);
      if (names.includes(soakFile.groups) || names.includes(soakFile.daemon)) {
        soaks.push(relative(this.root, dir).split(sep).join('/'));
      }
      if (depth > 0 && isRunDir(names)) {
        dirs.push({ id: relative(this.root, dir).split(sep).join('/'), dir, names });
        return;
      }
      if (depth >= MAX_DEPTH) return;
      // Real directories only: `latest` and other symlinks would list a run twice.
      const subdirs = entries.filter(
        (e) =>
          e.isDirectory() && !e.name.startsWith('.') && !(depth > 0 && RUN_SUBDIRS.has(e.name)),
      );
      await Promise.all(subdirs.map((e) => walk(join(dir, e.name), depth + 1)));
    };
    await walk(this.root, 0);
    this.soakIds = soaks.sort();
    const out: RunSummary[] = [];
    // Bounded parallelism: thousands of runs must not open thousands of files at once.
    for (let i = 0; i < dirs.length; i += 64) {
      const batch = dirs.slice(i, i + 64);
      out.push(...(await Promise.all(batch.map((d) => this.summaryOf(d.id, d.dir, d.names)))));
    }
    return out;
  }

  private async summaryOf(id: string, dir: string, names: string[]): Promise<RunSummary> {
    const hasReport = names.includes(runFile.report);
    if (!names.includes(runFile.results)) {
      // Still running (or died): date it by its name, else by when its directory last changed.
      const s = incomplete(id, hasReport);
      s.startedAt ??= await stat(dir).then(
        (st) => st.mtime.toISOString(),
        () => null,
      );
      // schedule.json is written before anything runs: it knows the seed already.
      s.seed = await scheduleSeed(join(dir, 'schedule.json'));
      return s;
    }
    const file = inRun(dir, 'results');
    const st = await stat(file).catch(() => null);
    if (!st) return incomplete(id, hasReport);
    const key = `${st.mtimeMs}:${st.size}:${hasReport}`;
    const hit = this.cache.get(id);
    if (hit?.key === key) return hit.summary;
    let summary: RunSummary;
    try {
      summary = summarize(id, JSON.parse(await readFile(file, 'utf8')), hasReport);
    } catch (err) {
      // Half-written or corrupt results.json: show the run, say what is wrong.
      summary = incomplete(id, hasReport, `results.json: ${(err as Error).message}`);
    }
    this.cache.set(id, { key, summary });
    return summary;
  }
}

/** The fast-check seed a schedule.json records (`origin.seed`), or null. */
async function scheduleSeed(file: string): Promise<number | null> {
  try {
    const o = JSON.parse(await readFile(file, 'utf8')) as { origin?: { seed?: unknown } };
    return num(o.origin?.seed);
  } catch {
    return null;
  }
}

/** A run directory holds results.json, or (while it runs) schedule.json and history.jsonl. */
export function isRunDir(names: string[]): boolean {
  return (
    names.includes(runFile.results) ||
    (names.includes(runFile.schedule) && names.includes(runFile.history))
  );
}
