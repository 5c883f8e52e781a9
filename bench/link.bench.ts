/**
 * Overhead of the link proxy without toxics, on loopback: round-trip latency (sequential 16-byte
 * echoes) and bulk throughput, direct vs through a proxy. `npm run bench:link`.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { startLinkProxyServer } from '../src/nemesis/link/server.js';

async function echoServer(): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/** Sends `total` bytes in `chunk`-sized writes and resolves when all came back. */
function transfer(s: net.Socket, total: number, chunk: number): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    const start = performance.now();
    const onData = (c: Buffer): void => {
      got += c.length;
      if (got >= total) {
        s.off('data', onData);
        resolve(performance.now() - start);
      }
    };
    s.on('data', onData);
    const buf = Buffer.alloc(chunk, 7);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk;
        if (!s.write(buf)) return void s.once('drain', pump);
      }
    };
    pump();
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3));
};

async function measure(port: number): Promise<Record<string, number>> {
  const s = await connect(port);
  const rtts: number[] = [];
  for (let i = 0; i < 3000; i++) rtts.push(await transfer(s, 16, 16));
  const total = 64 * 1024 * 1024;
  const ms = await transfer(s, total, 64 * 1024);
  s.destroy();
  return {
    rttP50Ms: pct(rtts.slice(500), 50),
    rttP99Ms: pct(rtts.slice(500), 99),
    throughputMBps: Number((total / 1e6 / (ms / 1000)).toFixed(1)),
  };
}

const echo = await echoServer();
const api = await startLinkProxyServer({ host: '127.0.0.1', port: 0 });
const echoPort = (echo.address() as net.AddressInfo).port;
const res = await fetch(`${api.url}/proxies`, {
  method: 'POST',
  body: JSON.stringify({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` }),
});
const proxyPort = Number(((await res.json()) as { listen: string }).listen.split(':').pop());
const direct = await measure(echoPort);
const proxied = await measure(proxyPort);
console.log(JSON.stringify({ direct, proxied }, null, 1));
await api.close();
echo.close();
