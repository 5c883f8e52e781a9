/**
 * The results web server (`faultline serve`, and embedded by `faultline daemon`): a runs list, one
 * page per run with its files, the failure groups of soaks, and a live view fed by server-sent
 * events. Read-only (GET/HEAD), bound to loopback by default, and unable to read anything outside
 * the results directory (see safe-path.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, realpath } from 'node:fs/promises';
import { isIP, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Observable } from 'rxjs';
import { silentLogger, type Logger } from '../log.js';
import { runIdFor } from './groups.js';
import { LiveHub } from './live-hub.js';
import type { LiveEvent } from './live.js';
import { handle, type Context } from './routes.js';
import { RunIndex } from './runs.js';

export type { LiveEvent } from './live.js';

export interface ServerOptions {
  /** The results directory (created if missing, so a daemon can serve before its first run). */
  resultsRoot: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Events of a running daemon, relayed on /api/events and shown on /live. */
  live$?: Observable<LiveEvent>;
  logger?: Logger;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8080/` */
  url: string;
  port: number;
  /** Stops listening, ends open connections (SSE included) and unsubscribes from live$. */
  close(): Promise<void>;
}

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  constructor(
    message: string,
    readonly userMessage: string,
  ) {
    super(message);
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

/** Host header -> hostname without port (`[::1]:80` -> `[::1]`). */
function hostname(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.split(':')[0] ?? '';
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? silentLogger;
  const wanted = resolve(opts.resultsRoot);
  await mkdir(wanted, { recursive: true });
  // All paths are compared in realpath form, so a symlinked results dir still works.
  const root = await realpath(wanted);
  const index = new RunIndex(root);
  const hub = new LiveHub(
    opts.live$,
    (runDir) => runIdFor(root, root, runDir) ?? runIdFor(wanted, wanted, runDir),
    (err) => log.warn({ err: (err as Error)?.message ?? String(err) }, 'live event stream failed'),
  );
  const ctx: Context = { root, index, hub, log };
  // A page on another site must not read our results through DNS rebinding: when we listen on
  // loopback, only loopback host names are accepted.
  const checkHost = isLoopback(host);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (checkHost) {
      const h = hostname(req.headers.host);
      if (!isLoopback(h) && h !== host) {
        res
          .writeHead(421, { 'content-type': 'text/plain; charset=utf-8' })
          .end('misdirected request\n');
        return;
      }
    }
    handle(ctx, req, res).catch((err: unknown) => {
      log.warn({ url: req.url, err: (err as Error)?.message }, 'request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`internal error: ${(err as Error)?.message ?? String(err)}\n`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      hub.close();
      const where = `${host}:${opts.port ?? 0}`;
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${opts.port} is already in use on ${host}; pick another with --port`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? `cannot listen on ${host}: no such local address`
            : err.code === 'EACCES'
              ? `not allowed to listen on ${where}`
              : `cannot listen on ${where}: ${err.message}`;
      fail(new ServerStartError(err.message, why));
    });
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const url = `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}/`;
  log.debug({ url, root }, 'server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((ok) => {
        hub.close();
        server.close(() => ok());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
