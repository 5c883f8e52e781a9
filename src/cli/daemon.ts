/**
 * `faultline daemon --config soak.json [--serve [port]]`: an overnight soak (src/daemon). The
 * first SIGINT/SIGTERM stops it cleanly (the current trial heals, tears down and is stored; the
 * state file says where the soak stands); a second one runs the shutdown hooks and exits.
 * Exit code: 1 if any trial failed, else 0.
 */
import type { Command } from 'commander';
import type { Observable } from 'rxjs';
import { Daemon } from '../daemon/daemon.js';
import { loadSoakConfig } from '../daemon/config.js';
import type { LiveEvent } from '../daemon/events.js';
import { createLogger, type Logger } from '../log.js';
import { startServer } from '../server/index.js';
import { abortOnSignals } from './run.js';
import { UsageError } from './errors.js';
import { examples } from './help.js';

interface DaemonCliOptions {
  config: string;
  serve?: string | boolean;
  host: string;
}

/** Starts the web UI (src/server) on the daemon's live events. */
async function startWebUi(
  o: { resultsRoot: string; host: string; port: number; live$: Observable<LiveEvent> },
  log: Logger,
): Promise<{ close(): Promise<void> }> {
  const server = await startServer({ ...o, logger: log });
  log.info({ url: server.url }, 'web UI');
  return server;
}

export function registerDaemonCommands(program: Command): void {
  program
    .command('daemon')
    .addHelpText(
      'after',
      examples([
        [
          'an overnight soak on etcd-3 with serializable reads',
          'daemon --config soaks/etcd-3-serializable.json',
        ],
        [
          'the same, with the web UI and live events on port 8080',
          'daemon --config soaks/etcd-5-linearizable.json --serve 8080',
        ],
      ]),
    )
    .description(
      'soak: run trials back to back (fresh cluster, generated schedule, check), group and shrink failures',
    )
    .requiredOption('--config <file>', 'soak config (see soaks/etcd-3-serializable.json)')
    .option('--serve [port]', 'also serve the web UI with live events (default port 8080)')
    .option('--host <addr>', 'address for --serve', '127.0.0.1')
    .action(async (o: DaemonCliOptions, cmd: Command) => {
      const config = loadSoakConfig(o.config);
      let port: number | undefined;
      if (o.serve !== undefined && o.serve !== false) {
        port = o.serve === true ? 8080 : Number(o.serve);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError(`--serve: expected a port number, got '${String(o.serve)}'`);
        }
      }
      const globals = cmd.optsWithGlobals<{ quiet?: boolean; logFile?: string }>();
      const log = createLogger({
        quiet: globals.quiet,
        ...(globals.logFile ? { file: globals.logFile } : {}),
      });
      const daemon = new Daemon(config, { logger: log });
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => daemon.stop('stopped by signal'), {
        once: true,
      });
      const release = abortOnSignals(controller, log);
      const server =
        port !== undefined
          ? await startWebUi(
              { resultsRoot: config.resultsRoot, host: o.host, port, live$: daemon.events$ },
              log,
            )
          : undefined;
      try {
        const summary = await daemon.run();
        const k = summary.state.counts;
        process.stdout.write(
          `soak ${config.name}: ${summary.reason}\n` +
            `  trials ${k.trials}: ${k.valid} valid, ${k.invalid} invalid, ${k.unknown} unknown (${k.crashed} crashed), ${k.minimized} minimized\n` +
            summary.groups.groups
              .map(
                (g) =>
                  `  ${String(g.count).padStart(4)} x ${g.signature}${g.minimized.length ? ` (minimized: ${g.minimized.map((m) => m.dir).join(', ')})` : ''}\n`,
              )
              .join('') +
            `  dir ${summary.soakDir}\n`,
        );
        process.exitCode = k.invalid > 0 ? 1 : 0;
      } finally {
        release();
        await server?.close().catch(() => undefined);
      }
    });
}
