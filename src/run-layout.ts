/**
 * The run directory's layout, spelled out once: every module that writes or reads a run
 * (`results/<test>/<time>/`), a daemon soak directory or a failure group uses these names, so
 * renaming a file is one edit and nobody guesses a name.
 */
import { join } from 'node:path';

/** Files of one run directory, relative to it. */
export const runFile = {
  /** The trial's schedule (seed, fast-check path, ops and faults). */
  schedule: 'schedule.json',
  /** A copy of the cluster definition the run used (replay --live starts the same cluster). */
  cluster: 'cluster.json',
  /** The recorded operations, one JSON op per line. */
  history: 'history.jsonl',
  /** The nemesis's fsynced fault journal. */
  journal: 'faults.journal.jsonl',
  /** Replica observations after the final heal (convergence). */
  observations: 'observations.json',
  /** Each node's RSS, CPU and open files sampled over the run. */
  resources: 'resources.jsonl',
  results: 'results.json',
  summary: 'summary.txt',
  report: 'report.html',
  /** The daemon's failure signature of a failed trial. */
  signature: 'signature.json',
  /** A shrunk failure's summary (daemon groups). */
  minimized: 'minimized.json',
  /** Member logs, collected here from every node. */
  logs: 'logs',
  /** Member data (removed at teardown; netns nodes keep it under the run directory). */
  data: 'data',
  nodeLog: (node: string): string => join('logs', `${node}.log`),
} as const;

/** Files of a daemon soak directory. */
export const soakFile = {
  daemon: 'daemon.json',
  groups: 'groups.json',
} as const;

/** `runFile.x` inside `dir`. */
export function inRun(dir: string, name: Exclude<keyof typeof runFile, 'nodeLog'>): string {
  return join(dir, runFile[name]);
}
