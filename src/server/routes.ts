/**
 * Request routing. Every path that names something on disk goes through resolveSafe, and a run is
 * only a run if the index recognises its directory; anything else is a 404.
 *
 *   GET /                      runs list (?test, verdict, q, from, to, offset)
 *   GET /runs/<run id>         one run (ids are paths under the results root; `latest` redirects)
 *   GET /files/<path>          a file under the results root, served inline
 *   GET /groups, /live         failure groups, live view
 *   GET /api/runs[/<run id>], /api/groups, /api/events (SSE; ?state=1 adds folded state frames)
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Logger } from '../log.js';
import { readSoak } from './groups.js';
import type { LiveHub } from './live-hub.js';
import { livePage } from './live-page.js';
import { errorPage, groupsPage, runPage, runsPage, VERDICTS, type RunFile } from './pages.js';
import { matches, type RunFilter, type RunIndex, type Verdict } from './runs.js';
import { resolveSafe } from './safe-path.js';
import { urlPath } from './layout.js';
import { inRun, runFile } from '../run-layout.js';

export interface Context {
  root: string;
  index: RunIndex;
  hub: LiveHub;
  log: Logger;
}

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; " +
  "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** Served files (report.html) may run their own inline code but reach nothing on the network. */
const FILE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:; " +
  "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // JSON Lines, logs and EDN are shown as text so a browser displays them instead of downloading.
  '.jsonl': 'text/plain; charset=utf-8',
  '.ndjson': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const PAGE_SIZE = 100;
const MAX_API_LIMIT = 1000;

class BadRequest extends Error {}

function baseHeaders(extra: Record<string, string | number>): Record<string, string | number> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
    ...extra,
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(
    status,
    baseHeaders({ 'content-type': type, 'content-length': buf.length, ...extra }),
  );
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function html(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  send(req, res, status, 'text/html; charset=utf-8', body, { 'content-security-policy': PAGE_CSP });
}

function json(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  send(req, res, status, 'application/json; charset=utf-8', JSON.stringify(value, null, 1));
}

function redirect(res: ServerResponse, to: string): void {
  res.writeHead(302, baseHeaders({ location: to, 'content-length': 0 })).end();
}

/** `?from=2026-11-21T16:00` (a datetime-local value, meant as UTC) -> ISO, or BadRequest. */
function timeParam(name: string, v: string | null): string | undefined {
  if (!v) return undefined;
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`;
  const t = Date.parse(withZone);
  if (Number.isNaN(t)) throw new BadRequest(`${name}: not a time: ${v}`);
  return new Date(t).toISOString();
}

export function parseFilter(q: URLSearchParams): RunFilter {
  const f: RunFilter = {};
  const test = q.get('test');
  if (test) f.test = test;
  const verdict = q.get('verdict');
  if (verdict) {
    if (!VERDICTS.includes(verdict as Verdict))
      throw new BadRequest(`verdict: expected one of ${VERDICTS.join(', ')}, got ${verdict}`);
    f.verdict = verdict as Verdict;
  }
  const text = q.get('q')?.trim();
  if (text) f.q = text;
  const from = timeParam('from', q.get('from'));
  if (from) f.from = from;
  let to = timeParam('to', q.get('to'));
  // A minute-precision `to` means "through that minute".
  if (to && /T\d\d:\d\d$/.test(q.get('to') ?? ''))
    to = new Date(Date.parse(to) + 59_999).toISOString();
  if (to) f.to = to;
  return f;
}

function intParam(q: URLSearchParams, name: string, def: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new BadRequest(`${name}: expected an integer >= 0, got ${v}`);
  return Math.min(n, max);
}

/** Files of a run directory worth linking (not the cluster's data dir), sorted with the useful first. */
async function runFiles(dir: string): Promise<RunFile[]> {
  const out: RunFile[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 1 && e.name !== runFile.data) await walk(p, depth + 1);
      else if (e.isFile()) {
        const st = await stat(p).catch(() => null);
        if (st) out.push({ name: relative(dir, p).split(sep).join('/'), size: st.size });
      }
    }
  };
  await walk(dir, 0);
  const rank = (n: string) => {
    const order: string[] = [
      runFile.report,
      runFile.results,
      runFile.summary,
      runFile.history,
      runFile.schedule,
      runFile.journal,
    ];
    const i = order.indexOf(n);
    return i >= 0 ? i : n.includes('/') ? 100 : 50;
  };
  return out.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Resolves a run id from the URL; null (404) unless it is a run directory under the root. */
async function findRun(ctx: Context, rawId: string) {
  const p = await resolveSafe(ctx.root, ctx.root, rawId);
  if (!p.ok) return p;
  if (!p.isDirectory) return { ok: false as const, status: 404 as const, reason: 'not a run' };
  const id = relative(ctx.root, p.real).split(sep).join('/');
  const run = id ? await ctx.index.get(id) : null;
  if (!run) return { ok: false as const, status: 404 as const, reason: 'not a run' };
  return { ok: true as const, id, run, dir: p.real };
}

async function listRuns(ctx: Context, q: URLSearchParams, limit: number) {
  const filter = parseFilter(q);
  const offset = intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const running = new Set(ctx.hub.runningDirs().map((d) => resolve(d)));
  const all = (await ctx.index.list()).map((r) =>
    r.verdict === 'incomplete' && running.has(resolve(ctx.index.root, ...r.id.split('/')))
      ? { ...r, running: true }
      : r,
  );
  const hits = all.filter((r) => matches(r, filter));
  const counts: Record<Verdict, number> = { valid: 0, invalid: 0, unknown: 0, incomplete: 0 };
  for (const r of hits) counts[r.verdict]++;
  const tests = [...new Set(all.map((r) => r.test))].sort();
  return { filter, offset, all, hits, counts, tests, page: hits.slice(offset, offset + limit) };
}

async function serveFile(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
): Promise<void> {
  const p = await resolveSafe(ctx.root, ctx.root, rawPath);
  if (!p.ok) {
    ctx.log.debug({ path: rawPath, reason: p.reason }, 'file refused');
    return send(req, res, p.status, 'text/plain; charset=utf-8', `${p.status}: ${p.reason}\n`);
  }
  if (p.isDirectory) {
    const id = relative(ctx.root, p.real).split(sep).join('/');
    if (id && (await ctx.index.get(id))) return redirect(res, `/runs/${urlPath(id)}`);
    return send(req, res, 404, 'text/plain; charset=utf-8', '404: not a file\n');
  }
  const type = CONTENT_TYPES[extname(p.real).toLowerCase()];
  const headers = baseHeaders({
    'content-type': type ?? 'application/octet-stream',
    'content-length': p.size,
    'last-modified': new Date(p.mtimeMs).toUTCString(),
    'content-disposition': type ? 'inline' : 'attachment',
    'content-security-policy': FILE_CSP,
  });
  res.writeHead(200, headers);
  if (req.method === 'HEAD' || p.size === 0) {
    res.end();
    return;
  }
  // The size was taken before streaming; a file still growing (a live history) is cut at it.
  const stream = createReadStream(p.real, { start: 0, end: Math.max(0, p.size - 1) });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export async function handle(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(req, res, 405, 'text/plain; charset=utf-8', '405: only GET and HEAD\n', {
      allow: 'GET, HEAD',
    });
  }
  const rawUrl = req.url ?? '/';
  // The path is kept raw (still percent-encoded) for resolveSafe; only the query is parsed here.
  const qi = rawUrl.indexOf('?');
  const rawPath = qi >= 0 ? rawUrl.slice(0, qi) : rawUrl;
  const query = new URLSearchParams(qi >= 0 ? rawUrl.slice(qi + 1) : '');
  try {
    return await dispatch(ctx, req, res, rawPath, query);
  } catch (err) {
    if (err instanceof BadRequest) {
      if (rawPath.startsWith('/api/')) return json(req, res, 400, { error: err.message });
      return html(req, res, 400, errorPage(ctx.root, 400, err.message));
    }
    throw err;
  }
}

async function dispatch(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
): Promise<void> {
  if (rawPath === '/' || rawPath === '/runs' || rawPath === '/runs/') {
    const l = await listRuns(ctx, query, PAGE_SIZE);
    return html(
      req,
      res,
      200,
      runsPage({
        root: ctx.root,
        runs: l.page,
        total: l.hits.length,
        counts: l.counts,
        all: l.all.length,
        tests: l.tests,
        filter: l.filter,
        offset: l.offset,
        limit: PAGE_SIZE,
      }),
    );
  }
  if (rawPath.startsWith('/runs/')) {
    const raw = rawPath.slice('/runs/'.length).replace(/\/$/, '');
    const found = await findRun(ctx, raw);
    if (!found.ok)
      return html(
        req,
        res,
        found.status,
        errorPage(ctx.root, found.status, `No such run: ${found.reason}`),
      );
    if (urlPath(found.id) !== raw) return redirect(res, `/runs/${urlPath(found.id)}`);
    const [results, summaryText, files] = await Promise.all([
      readJsonObject(inRun(found.dir, 'results')),
      readFile(inRun(found.dir, 'summary'), 'utf8').catch(() => null),
      runFiles(found.dir),
    ]);
    return html(
      req,
      res,
      200,
      runPage({ root: ctx.root, run: found.run, results, summaryText, files }),
    );
  }
  if (rawPath.startsWith('/files/'))
    return serveFile(ctx, req, res, rawPath.slice('/files/'.length));
  if (rawPath === '/groups') {
    const soaks = await Promise.all((await ctx.index.soaks()).map((id) => readSoak(ctx.root, id)));
    return html(req, res, 200, groupsPage(ctx.root, soaks));
  }
  if (rawPath === '/live') return html(req, res, 200, livePage(ctx.root));
  if (rawPath === '/api/runs') {
    const limit = intParam(query, 'limit', PAGE_SIZE, MAX_API_LIMIT);
    const l = await listRuns(ctx, query, limit);
    return json(req, res, 200, {
      total: l.hits.length,
      offset: l.offset,
      limit,
      counts: l.counts,
      runs: l.page,
    });
  }
  if (rawPath.startsWith('/api/runs/')) {
    const found = await findRun(ctx, rawPath.slice('/api/runs/'.length).replace(/\/$/, ''));
    if (!found.ok) return json(req, res, found.status, { error: found.reason });
    const [results, files] = await Promise.all([
      readJsonObject(inRun(found.dir, 'results')),
      runFiles(found.dir),
    ]);
    return json(req, res, 200, { run: found.run, results, files });
  }
  if (rawPath === '/api/groups') {
    const soaks = await Promise.all((await ctx.index.soaks()).map((id) => readSoak(ctx.root, id)));
    return json(req, res, 200, { soaks });
  }
  if (rawPath === '/api/events') {
    if (req.method === 'HEAD') return send(req, res, 200, 'text/event-stream', '');
    const last = req.headers['last-event-id'];
    return ctx.hub.attach(res, {
      withState: query.get('state') === '1',
      ...(typeof last === 'string' ? { lastEventId: last } : {}),
    });
  }
  if (rawPath === '/favicon.ico') {
    res.writeHead(204, baseHeaders({})).end();
    return;
  }
  return send(req, res, 404, 'text/plain; charset=utf-8', '404: not found\n');
}
