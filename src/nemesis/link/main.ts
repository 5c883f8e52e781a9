/**
 * Runnable link proxy: `node dist/nemesis/link/main.js --listen <ip:port> [--probe <ip:port>]
 * [--exit-with-stdin]`. Meant to run inside a node's network namespace (`ip netns exec`).
 *
 *   --listen           Toxiproxy-compatible HTTP API address (default 127.0.0.1:8474)
 *   --probe            also serve the one-way delay probe (probe.ts) on this address
 *   --exit-with-stdin  exit when stdin closes, i.e. when the process that started us dies,
 *                      so a crashed Faultline leaves no orphaned proxy behind
 *
 * Prints one JSON line `{"ready": true, "url": ..., "probe": ...}` once listening.
 */
import { parseArgs } from 'node:util';
import { splitHostPort } from './proxy.js';
import { startProbeServer, type ProbeServer } from './probe.js';
import { startLinkProxyServer } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', default: '127.0.0.1:8474' },
      probe: { type: 'string' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  const api = splitHostPort(values.listen);
  const server = await startLinkProxyServer({ host: api.host || '0.0.0.0', port: api.port });
  let probe: ProbeServer | undefined;
  if (values.probe) {
    const p = splitHostPort(values.probe);
    probe = await startProbeServer(p.host || '0.0.0.0', p.port);
  }
  const stop = (): void => {
    void Promise.all([server.close(), probe?.close()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (values['exit-with-stdin']) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
  process.stdout.write(
    JSON.stringify({ ready: true, url: server.url, probe: probe ? probe.port : null }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`link proxy: ${(e as Error).message}\n`);
  process.exit(1);
});
