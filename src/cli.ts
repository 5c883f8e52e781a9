#!/usr/bin/env node
/**
 * The `faultline` command. Each subcommand lives in src/cli/<name>.ts and registers itself on
 * the program; this file only wires them together and turns usage errors into exit code 64.
 */
import { Command, CommanderError } from 'commander';
import { registerHistoryCommands } from './cli/history.js';
import { registerClusterCommands } from './cli/cluster.js';
import { registerReportCommands } from './cli/report.js';
import { registerScheduleCommands } from './cli/schedule.js';
import { registerCheckCommands } from './cli/check.js';
import { registerAnalyzeCommands } from './cli/analyze.js';
import { registerRunCommands } from './cli/run.js';
import { registerReplayCommands } from './cli/replay.js';
import { registerDaemonCommands } from './cli/daemon.js';
import { registerMinimizeCommands } from './cli/minimize.js';
import { registerServeCommands } from './cli/serve.js';
import { registerCompareCommands } from './cli/compare.js';
import { registerSweepCommands } from './cli/sweep.js';
import { UsageError, reportFatal } from './cli/errors.js';

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

registerHistoryCommands(program);
registerCheckCommands(program);
registerAnalyzeCommands(program);
registerClusterCommands(program);
registerReportCommands(program);
registerScheduleCommands(program);
registerRunCommands(program);
registerReplayCommands(program);
registerDaemonCommands(program);
registerMinimizeCommands(program);
registerServeCommands(program);
registerCompareCommands(program);
registerSweepCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" with exit code 0 in commander's model.
    process.exitCode = err.exitCode === 0 ? 0 : UsageError.exitCode;
  } else {
    process.exitCode = reportFatal(err);
  }
}
