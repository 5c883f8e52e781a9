/**
 * One-way delay probe. A round trip mixes both directions of a link, but link faults are
 * directed, so verification needs each direction alone. Processes on one machine share
 * CLOCK_MONOTONIC (network namespaces do not change it; `process.hrtime` reads it), so:
 * the client sends `<seq>\n`, the probe server answers `<seq> <monotonic ns at receipt>\n`,
 * and the client gets forward = receipt - send and backward = arrival - receipt.
 */
import net from 'node:net';

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startProbeServer(host: string, port: number): Promise<ProbeServer> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let buf = '';
    socket.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      buf += chunk.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        socket.write(`${buf.slice(0, nl)} ${at}\n`);
        buf = buf.slice(nl + 1);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ProbeSample {
  /** Client -> server one-way delay, ms. */
  forwardMs: number;
  /** Server -> client one-way delay, ms. */
  backwardMs: number;
}

/**
 * Opens one connection to host:port and takes `samples` sequential one-way measurements.
 * Rejects if the connection fails or a reply does not come within `timeoutMs` in total.
 */
export function probeOneWay(
  host: string,
  port: number,
  opts: { samples?: number; timeoutMs?: number } = {},
): Promise<ProbeSample[]> {
  const samples = opts.samples ?? 3;
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const results: ProbeSample[] = [];
    const sent = new Map<string, bigint>();
    let buf = '';
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(results);
    };
    const timer = setTimeout(
      () => finish(new Error(`probe ${host}:${port}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const sendNext = (): void => {
      const seq = String(results.length);
      sent.set(seq, process.hrtime.bigint());
      socket.write(`${seq}\n`);
    };
    socket.on('connect', sendNext);
    socket.on('data', (chunk: Buffer) => {
      const arrival = process.hrtime.bigint();
      buf += chunk.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [seq = '', at = '0'] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        const start = sent.get(seq);
        if (start === undefined) continue;
        const receipt = BigInt(at);
        results.push({
          forwardMs: Number(receipt - start) / 1e6,
          backwardMs: Number(arrival - receipt) / 1e6,
        });
        if (results.length >= samples) return finish();
        sendNext();
      }
    });
    socket.on('error', (e) => finish(new Error(`probe ${host}:${port}: ${e.message}`)));
    socket.on('close', () => {
      if (results.length < samples) finish(new Error(`probe ${host}:${port}: connection closed`));
    });
  });
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
