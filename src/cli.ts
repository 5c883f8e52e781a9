#!/usr/bin/env node
/**
 * The `faultline` command. Each subcommand lives in src/cli/<name>.ts and registers itself on
 * the program; this file only wires them together and turns usage errors into exit code 64.
 *
 * Subcommands are imported lazily: a call loads only the module of the subcommand it names (so
 * `check` never loads the etcd/gRPC client, the web server or the report code, and `--version`
 * loads none). Help, `help <cmd>` and unknown commands load them all, so commander can list
 * them and suggest the nearest.
 */
import { Command, CommanderError } from 'commander';
import { UsageError, reportFatal } from './cli/errors.js';

type Register = (program: Command) => void;

// In help order. Each entry: the top-level command name and how to load its registration.
const SUBCOMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['history', async () => (await import('./cli/history.js')).registerHistoryCommands],
  ['check', async () => (await import('./cli/check.js')).registerCheckCommands],
  ['analyze', async () => (await import('./cli/analyze.js')).registerAnalyzeCommands],
  ['cluster', async () => (await import('./cli/cluster.js')).registerClusterCommands],
  ['report', async () => (await import('./cli/report.js')).registerReportCommands],
  ['schedule', async () => (await import('./cli/schedule.js')).registerScheduleCommands],
  ['run', async () => (await import('./cli/run.js')).registerRunCommands],
  ['replay', async () => (await import('./cli/replay.js')).registerReplayCommands],
  ['daemon', async () => (await import('./cli/daemon.js')).registerDaemonCommands],
  ['minimize', async () => (await import('./cli/minimize.js')).registerMinimizeCommands],
  ['serve', async () => (await import('./cli/serve.js')).registerServeCommands],
  ['compare', async () => (await import('./cli/compare.js')).registerCompareCommands],
  ['sweep', async () => (await import('./cli/sweep.js')).registerSweepCommands],
];

/** Global options that take a value (their value is not the subcommand's name). */
const GLOBAL_WITH_VALUE = new Set(['--log-file']);

/**
 * What the arguments ask for: the subcommand named, 'version' for a bare --version, or 'all'
 * when every subcommand must be registered (help, no command, an unknown one).
 */
export function wantedCommands(args: readonly string[]): 'version' | 'all' | string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-V' || a === '--version') return 'version';
    if (a === '-h' || a === '--help' || a === '--') return 'all';
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return SUBCOMMANDS.some(([name]) => name === a) ? a : 'all';
  }
  return 'all';
}

// `faultline ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command()
  .name('faultline')
  .description('Jepsen-style chaos and consistency checker')
  .version('0.1.0')
  .option('-q, --quiet', 'print nothing on the terminal but results and errors')
  .option('--log-file <path>', 'write JSON logs here')
  .exitOverride()
  .showHelpAfterError();

try {
  const wanted = wantedCommands(process.argv.slice(2));
  if (wanted !== 'version') {
    const chosen = wanted === 'all' ? SUBCOMMANDS : SUBCOMMANDS.filter(([n]) => n === wanted);
    for (const register of await Promise.all(chosen.map(([, load]) => load()))) register(program);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" with exit code 0 in commander's model.
    process.exitCode = err.exitCode === 0 ? 0 : UsageError.exitCode;
  } else {
    process.exitCode = reportFatal(err);
  }
}
