/**
 * renderReport: reads a run directory (history.jsonl streamed, results.json, schedule.json,
 * faults.journal.jsonl) and writes its self-contained report.html.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { CheckResult } from '../checkers/result.js';
import { readHistory } from '../history/reader.js';
import { extractMarks } from './evidence.js';
import { renderPage, type RunResults } from './html.js';
import { buildHistoryModel, verificationStatus, type FaultPeriod } from './model.js';
import { buildPageData } from './page-data.js';
import { parseResourcesJsonl, resourceSeries } from '../resources/series.js';
import { ReportInputError } from './errors.js';
import { txnDiagrams } from './txn-section.js';
import { bucketSeries, scatterSample } from './series.js';
import { inRun } from '../run-layout.js';

export interface RenderReportOptions {
  /** Where to write the page (default `<runDir>/report.html`). */
  out?: string;
  /** The replay command shown on the page (default `faultline replay <runDir>`). */
  replayCommand?: string;
  /** Clock for the "generated at" line (tests). */
  now?: Date;
}

export interface RenderedReport {
  path: string;
  bytes: number;
}

const require = createRequire(import.meta.url);
/** uPlot's JS and CSS, read once (also for the sweep page). */
let uplotAssets: { js: string; css: string } | undefined;
export async function loadUplot(): Promise<{ js: string; css: string }> {
  uplotAssets ??= {
    js: await readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ReportInputError(file, `not valid JSON (${(err as Error).message})`);
  }
}

function parseResults(v: unknown, file: string): RunResults {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ReportInputError(file, 'expected a JSON object');
  const r = v as RunResults;
  if (
    r.checks !== undefined &&
    (r.checks === null || typeof r.checks !== 'object' || Array.isArray(r.checks))
  ) {
    throw new ReportInputError(file, "field 'checks': expected an object of checker results");
  }
  for (const [name, c] of Object.entries(r.checks ?? {})) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      throw new ReportInputError(
        file,
        `field 'checks.${name}': expected a checker result object, got ${JSON.stringify(c)}`,
      );
    }
  }
  return r;
}

/** JSONL journal, read leniently: it is shown for information, a torn last line is normal. */
function parseJournal(text: string, file: string, notes: string[]): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch {
      notes.push(`${file}:${i + 1}: not valid JSON; line skipped`);
    }
  });
  return out;
}

/**
 * The fault journal (src/nemesis/journal.ts) may know more than the history, e.g. when the run
 * crashed before the nemesis completion was recorded: take its `applied` verification or its
 * `apply-failed` error for faults the history left without one.
 */
function mergeJournal(faults: FaultPeriod[], journal: unknown[]): void {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const e of journal) {
    if (!e || typeof e !== 'object' || !('id' in e)) continue;
    const id = String((e as { id: unknown }).id);
    byId.set(id, [...(byId.get(id) ?? []), e as Record<string, unknown>]);
  }
  for (const f of faults) {
    if (f.status === 'verified' || f.status === 'failed') continue;
    for (const e of byId.get(f.id) ?? []) {
      if (e.event === 'apply-failed') {
        f.status = 'failed';
        f.error ??= typeof e.error === 'string' ? e.error : JSON.stringify(e.error);
      } else if (
        e.event === 'applied' &&
        e.verification !== undefined &&
        (f.verified === null || f.verified === undefined)
      ) {
        f.verified = e.verification as FaultPeriod['verified'];
        f.status = verificationStatus(f.verified);
      }
    }
  }
}

interface DiagramModule {
  /** The diagram with its op list and step-through (HTML starting with the SVG). */
  renderViolationFigure?: (violation: unknown) => string;
  renderViolationSvg?: (violation: unknown) => string;
}

/** Where the linearizability checker keeps its diagram renderer (non-literal: it may move). */
const DIAGRAM_MODULES = [
  '../checkers/linearizability/index.js',
  '../checkers/linearizability/render.js',
];

async function loadDiagramRenderer(): Promise<((violation: unknown) => string) | undefined> {
  for (const spec of DIAGRAM_MODULES) {
    try {
      const mod = (await import(spec)) as DiagramModule;
      if (typeof mod.renderViolationFigure === 'function') return mod.renderViolationFigure;
      if (typeof mod.renderViolationSvg === 'function') return mod.renderViolationSvg;
    } catch {
      // not there (yet): the page falls back to the violation's JSON explanation
    }
  }
  return undefined;
}

/** SVG diagrams of the first few violations of each failing linearizability check. */
async function linearizabilityDiagrams(
  checks: Record<string, CheckResult>,
  notes: string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const lin = Object.entries(checks).filter(
    ([name, r]) =>
      r?.valid === false &&
      Array.isArray(r.violations) &&
      (r.checker === 'linearizability' || /lineariz/i.test(name)),
  );
  if (lin.length === 0) return out;
  const render = await loadDiagramRenderer();
  if (!render) return out;
  for (const [name, r] of lin) {
    const parts: string[] = [];
    for (const v of (r.violations as unknown[]).slice(0, 3)) {
      try {
        parts.push(render(v));
      } catch (err) {
        notes.push(`${name}: could not draw the violation diagram (${(err as Error).message})`);
      }
    }
    if (parts.length) out[name] = parts.join('\n');
  }
  return out;
}

export async function renderReport(
  runDir: string,
  opts: RenderReportOptions = {},
): Promise<RenderedReport> {
  const dir = resolve(runDir);
  const historyPath = inRun(dir, 'history');
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReportInputError(runDir, 'not a run directory');
  if (!(await stat(historyPath).catch(() => undefined)))
    throw new ReportInputError(historyPath, 'missing: a run directory holds history.jsonl');

  const notes: string[] = [];
  const resultsPath = inRun(dir, 'results');
  const resultsText = await readOptional(resultsPath);
  const results =
    resultsText === undefined
      ? null
      : parseResults(parseJsonFile(resultsText, resultsPath), resultsPath);
  if (!results)
    notes.push(
      'results.json not found: no verdicts to show (run `faultline check` on this directory).',
    );
  const schedulePath = inRun(dir, 'schedule');
  const scheduleText = await readOptional(schedulePath);
  const schedule = scheduleText === undefined ? null : parseJsonFile(scheduleText, schedulePath);
  const journalPath = inRun(dir, 'journal');
  const journalText = await readOptional(journalPath);
  const journal = journalText === undefined ? null : parseJournal(journalText, journalPath, notes);

  const model = await buildHistoryModel(
    readHistory(historyPath, { onWarning: (m) => notes.push(m) }),
  );
  if (journal) mergeJournal(model.faults, journal);
  const checks = results?.checks ?? {};
  const started =
    typeof results?.run?.startedAt === 'string' ? Date.parse(results.run.startedAt) : NaN;
  const marks = extractMarks(checks, model, Number.isFinite(started) ? started : undefined);
  const buckets = bucketSeries(model.ops, model.endMs);
  const scatter = scatterSample(model.ops, model.endMs);
  const test = typeof results?.run?.test === 'string' ? results.run.test : 'run';
  const data = buildPageData(test, model, buckets, scatter, marks);
  const resourcesText = await readOptional(inRun(runDir, 'resources'));
  const resources = resourcesText && resourceSeries(parseResourcesJsonl(resourcesText));
  if (resources) data.resources = resources;
  const uplot = await loadUplot();
  const html = renderPage({
    runDir,
    replayCommand: opts.replayCommand ?? `faultline replay ${shellQuote(runDir)}`,
    results,
    schedule,
    journal,
    model,
    data,
    diagrams: { ...(await linearizabilityDiagrams(checks, notes)), ...txnDiagrams(checks) },
    notes,
    uplotJs: uplot.js,
    uplotCss: uplot.css,
    generatedAt: opts.now ?? new Date(),
  });
  const out = opts.out ?? inRun(dir, 'report');
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, out);
  return { path: out, bytes: Buffer.byteLength(html) };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
