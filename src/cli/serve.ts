/**
 * `faultline serve`: browse the results directory (runs, their files and reports, failure groups)
 * in a browser. Read-only; loopback only unless --host says otherwise; Ctrl-C stops it.
 */
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { startServer } from '../server/index.js';
import { UsageError } from './errors.js';
import { examples } from './help.js';

interface ServeCliOptions {
  results: string;
  host: string;
  port: string;
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port: expected 0..65535, got '${text}'`);
  return n;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .addHelpText(
      'after',
      examples([
        ['browse the runs in results/ on http://127.0.0.1:8080', 'serve'],
        ['another results directory on any free port', 'serve --results /tmp/results --port 0'],
      ]),
    )
    .description('serve the results directory as web pages: runs, reports, failure groups')
    .option('--results <dir>', 'results directory', 'results')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .action(async (opts: ServeCliOptions) => {
      const port = parsePort(opts.port);
      const g = program.opts<{ quiet?: boolean; logFile?: string }>();
      const log = createLogger({ quiet: g.quiet, ...(g.logFile ? { file: g.logFile } : {}) });
      const server = await startServer({
        resultsRoot: opts.results,
        host: opts.host,
        port,
        logger: log,
      });
      process.stdout.write(`${server.url}\n`);
      if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
        log.warn(`listening on ${opts.host}: anyone who can reach it can read these results`);
      }
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
