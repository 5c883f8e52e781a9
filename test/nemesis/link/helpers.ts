/** Small socket helpers for the link proxy tests (real sockets on loopback). */
import net from 'node:net';

/** A TCP echo server on 127.0.0.1, random port. */
export async function startEcho(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/** Sends `bytes` on an open socket and resolves with the ms until that many bytes came back. */
export function roundTrip(
  socket: net.Socket,
  bytes = 16,
  timeoutMs = 5000,
): Promise<{ ms: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const start = performance.now();
    const onData = (c: Buffer): void => {
      parts.push(c);
      got += c.length;
      if (got >= bytes) done();
    };
    const onEnd = (): void => done(new Error(`connection ended after ${got} of ${bytes} bytes`));
    const timer = setTimeout(
      () => done(new Error(`timeout after ${got} of ${bytes} bytes`)),
      timeoutMs,
    );
    function done(err?: Error): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onEnd);
      if (err) reject(err);
      else resolve({ ms: performance.now() - start, data: Buffer.concat(parts) });
    }
    socket.on('data', onData);
    socket.on('close', onEnd);
    const payload = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) payload[i] = i % 251;
    socket.write(payload);
  });
}

/** Resolves when the socket emits 'close' (true) or false after `ms`. */
export function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
