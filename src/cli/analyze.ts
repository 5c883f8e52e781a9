/**
 * `faultline analyze [history]`: the checkers beyond linearizability over a stored run:
 * election safety / double votes (from node logs and vote ops), stuck state, performance and,
 * given replica observations, convergence. Exit 0 valid, 1 invalid, 2 unknown; 64 usage,
 * 65 bad input.
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { loadHistory } from '../history/load.js';
import type { History } from '../history/op.js';
import { checkerNames, runCheckers, type ComposedResult } from '../checkers/compose.js';
import { exitCodeFor, type CheckResult } from '../checkers/result.js';
import type { ReplicaObservation } from '../checkers/convergence/check.js';
import { InputFileError, readInputText } from '../input-file.js';
import { examples } from './help.js';

interface AnalyzeCliOptions {
  log: string[];
  checkers?: string;
  observations?: string;
  stall?: string;
  recoveryBound?: string;
  quorum?: string;
  parser: string;
  json?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze [history]')
    .addHelpText(
      'after',
      examples([
        [
          "election safety (one leader per term, no double vote) from a run's node logs",
          'analyze --log n1=results/latest/logs/n1.log --log n2=results/latest/logs/n2.log --log n3=results/latest/logs/n3.log',
        ],
        [
          'stuck state and performance of a stored history',
          'analyze results/latest/history.jsonl --checkers stuck,perf --stall 3',
        ],
      ]),
    )
    .description(
      'election safety (node logs, vote ops), stuck state, perf and convergence; exit 0 ok, 1 violation, 2 unknown',
    )
    .option('--log <node=path>', 'a node log for election safety (repeat per node)', collect, [])
    .option(
      '--checkers <list>',
      'comma-separated checkers (default: election if logs, stuck and perf if a history, convergence if observations)',
    )
    .option(
      '--observations <file>',
      'JSON array of replica observations after the final heal (convergence)',
    )
    .option('--parser <name>', 'node log parser', 'etcd')
    .option(
      '--stall <seconds>',
      "no ok op for longer than this is a stall (number or 'auto'; default 5)",
    )
    .option(
      '--recovery-bound <seconds>',
      'longest acceptable recovery after the last heal (default 30)',
    )
    .option('--quorum <n>', 'votes a decision needs when the events do not say')
    .option('--json', 'print the composed result as JSON')
    .action(async (file: string | undefined, opts: AnalyzeCliOptions) => {
      const result = await analyze(file, opts);
      process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatText(result));
      process.exitCode = exitCodeFor(result.valid);
    });
}

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${name} must be a non-negative number of seconds, got '${v}'`);
  return n * 1e9;
}

async function analyze(file: string | undefined, opts: AnalyzeCliOptions): Promise<ComposedResult> {
  const logs: Record<string, string> = {};
  for (const spec of opts.log) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1)
      throw new UsageError(`--log wants node=path, got '${spec}'`);
    logs[spec.slice(0, i)] = spec.slice(i + 1);
  }
  let observations: ReplicaObservation[] | undefined;
  if (opts.observations !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readInputText(opts.observations));
    } catch (err) {
      if (err instanceof InputFileError) throw err;
      throw new UsageError(`${opts.observations}: not JSON: ${(err as Error).message}`);
    }
    if (
      !Array.isArray(parsed) ||
      !parsed.every((o) => typeof o === 'object' && o !== null && typeof o.replica === 'string')
    )
      throw new UsageError(
        `${opts.observations}: expected a JSON array of {replica, ...} observations`,
      );
    observations = parsed as ReplicaObservation[];
  }
  const hasLogs = Object.keys(logs).length > 0;
  if (file === undefined && !hasLogs && !observations)
    throw new UsageError('give a history file, --log node=path, or --observations');
  const checkers = opts.checkers
    ? opts.checkers
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [
        ...(hasLogs ? ['election'] : []),
        ...(file !== undefined ? ['stuck', 'perf'] : []),
        ...(observations ? ['convergence'] : []),
      ];
  for (const c of checkers)
    if (!checkerNames().includes(c))
      throw new UsageError(`unknown checker '${c}' (${checkerNames().join(', ')})`);
  const history: History = file === undefined ? [] : (await loadHistory(file)).ops;
  const stall = opts.stall === 'auto' ? 'auto' : seconds('--stall', opts.stall);
  const quorum = opts.quorum === undefined ? undefined : Number(opts.quorum);
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum > 0))
    throw new UsageError(`--quorum must be a positive integer, got '${opts.quorum}'`);
  return runCheckers(history, {
    checkers,
    logs: hasLogs ? logs : undefined,
    observations,
    throwOnError: true,
    options: {
      election: { parser: opts.parser, ...(quorum ? { quorum } : {}) },
      stuck: {
        gapThresholdNs: stall,
        recoveryBoundNs: seconds('--recovery-bound', opts.recoveryBound),
      },
    },
  });
}

const verdict = (v: CheckResult['valid']) =>
  v === true ? 'valid' : v === false ? 'INVALID' : 'unknown';

function formatText(r: ComposedResult): string {
  const out: string[] = [];
  for (const [name, c] of Object.entries(r.checks)) {
    out.push(`${name}: ${verdict(c.valid)}${typeof c.reason === 'string' ? ` (${c.reason})` : ''}`);
    if (Array.isArray(c.violations))
      for (const v of c.violations as Array<{
        message: string;
        evidence: Array<{ where: string }>;
      }>) {
        out.push(`  - ${v.message}`);
        for (const e of v.evidence) out.push(`      ${e.where}`);
      }
    if (Array.isArray(c.summary)) for (const line of c.summary as string[]) out.push(`  ${line}`);
    if (name === 'election' && Array.isArray(c.leadersByTerm)) {
      const s = c.summary as { votes: number; selfVotes: number; counts: Record<string, number> };
      const leaders = (c.leadersByTerm as Array<{ term: unknown; leader: string }>).map(
        (l) => `${String(l.term)}:${l.leader}`,
      );
      out.push(
        `  leaders by term: ${leaders.join(' ') || 'none'}; ${s.votes} votes, ${s.selfVotes} self-votes, ${s.counts.preVote ?? 0} pre-votes skipped`,
      );
    }
    if (name === 'perf') {
      const o = (c.overall ?? {}) as {
        ok?: { count: number; p50: number; p99: number };
        throughput?: { ok: number };
      };
      if (o.ok)
        out.push(
          `  ok ops: ${o.ok.count}, p50 ${(o.ok.p50 / 1e6).toFixed(1)} ms, p99 ${(o.ok.p99 / 1e6).toFixed(1)} ms, ${o.throughput?.ok.toFixed(1)} ok/s`,
        );
    }
    if (Array.isArray(c.differences))
      for (const d of c.differences as Array<{ message: string }>) out.push(`  - ${d.message}`);
  }
  out.push(`overall: ${verdict(r.valid)}`);
  return out.join('\n') + '\n';
}
