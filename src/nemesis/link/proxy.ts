/**
 * One proxy: a TCP listener that forwards every accepted connection to `upstream`, with two
 * toxic chains: `upstream` (client -> upstream bytes) and `downstream` (upstream -> client bytes).
 * Mirrors Toxiproxy's proxy.go: `listen` reports the bound address (so "host:0" picks a port),
 * disabling closes the listener and every connection.
 */
import net, { type Socket } from 'node:net';
import { ApiError, ErrToxicAlreadyExists, ErrToxicNotFound } from './api-error.js';
import { ToxicLink } from './toxic-link.js';
import { parseToxic, updateToxic, STREAMS, type Stream, type ToxicSpec } from './toxics.js';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicSpec[];
}

/** Splits "host:port" / "[v6]:port" / ":port" like Go's net.SplitHostPort. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new ApiError(`address ${addr}: missing port in address`, 500);
  let host = addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = addr.slice(i + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ApiError(`address ${addr}: invalid port`, 500);
  }
  return { host, port };
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Closes a socket: gracefully (flush, FIN) or with RST. */
function closeSocket(socket: Socket, mode: 'close' | 'reset'): void {
  if (socket.destroyed) return;
  if (mode === 'reset') {
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
    return;
  }
  socket.end();
  socket.once('finish', () => socket.destroy());
  // A peer that never reads must not keep the socket forever.
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** One accepted client and its upstream connection. */
class Connection {
  readonly links: Record<Stream, ToxicLink>;
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: Record<Stream, ToxicSpec[]>,
    private readonly onGone: (c: Connection) => void,
  ) {
    const control = { close: (mode: 'close' | 'reset') => this.close(mode) };
    this.links = {
      upstream: new ToxicLink('upstream', client, upstream, toxics.upstream, control),
      downstream: new ToxicLink('downstream', upstream, client, toxics.downstream, control),
    };
    let open = 2;
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.setNoDelay(true);
      // A reset on one side is passed on as a reset; any other error closes both sides.
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNRESET') closeSocket(other, 'reset');
        this.close('close');
      });
      socket.on('close', () => {
        // A client gone while the upstream is still connecting (e.g. SYNs dropped by a
        // partition) would otherwise keep that connect pending for minutes.
        if (other.connecting) other.destroy();
        if (--open === 0) this.gone();
      });
    }
  }

  close(mode: 'close' | 'reset'): void {
    if (this.closed) return;
    this.closed = true;
    this.links.upstream.dispose();
    this.links.downstream.dispose();
    closeSocket(this.client, mode);
    closeSocket(this.upstream, mode);
  }

  private gone(): void {
    this.links.upstream.dispose();
    this.links.downstream.dispose();
    this.onGone(this);
  }
}

export class Proxy {
  enabled = false;
  private readonly toxics: Record<Stream, ToxicSpec[]> = { upstream: [], downstream: [] };
  private server: net.Server | undefined;
  private readonly connections = new Set<Connection>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
  ) {}

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxicList(),
    };
  }

  /** Upstream toxics first, then downstream, each in chain order (Toxiproxy's GetToxicArray). */
  toxicList(): ToxicSpec[] {
    return [...this.toxics.upstream, ...this.toxics.downstream];
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    splitHostPort(this.upstream); // fail now, not on the first connection
    const { host, port } = splitHostPort(this.listen);
    // Go listens on IPv4 for "localhost"; Node might pick ::1, which clients of 127.0.0.1 miss.
    const bindHost = host === '' ? undefined : host === 'localhost' ? '127.0.0.1' : host;
    const server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ApiError(`listen tcp ${this.listen}: ${err.code ?? err.message}`, 500)),
      );
      server.listen({ host: bindHost, port }, () => resolve());
    });
    server.on('error', () => {}); // after a successful listen, errors only concern single accepts
    const addr = server.address() as net.AddressInfo;
    this.listen = host === '' ? `[::]:${addr.port}` : joinHostPort(addr.address, addr.port);
    this.server = server;
    this.enabled = true;
  }

  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    for (const c of [...this.connections]) c.close('close');
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const { host, port } = splitHostPort(this.upstream);
    const upstream = net.connect({ host, port, allowHalfOpen: true });
    const conn = new Connection(
      client,
      upstream,
      { upstream: [...this.toxics.upstream], downstream: [...this.toxics.downstream] },
      (c) => this.connections.delete(c),
    );
    this.connections.add(conn);
  }

  /** Applies POST /proxies/{name} (Toxiproxy's Proxy.Update): restart on address changes. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  findToxic(name: string): ToxicSpec | undefined {
    return this.toxicList().find((t) => t.name === name);
  }

  addToxic(body: unknown): ToxicSpec {
    const spec = parseToxic(body);
    if (this.findToxic(spec.name)) throw ErrToxicAlreadyExists;
    this.toxics[spec.stream].push(spec);
    for (const c of this.connections) c.links[spec.stream].addToxic(spec);
    return spec;
  }

  updateToxic(name: string, body: unknown): ToxicSpec {
    const existing = this.findToxic(name);
    if (!existing) throw ErrToxicNotFound;
    const spec = updateToxic(existing, body);
    const chain = this.toxics[spec.stream];
    chain[chain.indexOf(existing)] = spec;
    for (const c of this.connections) c.links[spec.stream].updateToxic(spec);
    return spec;
  }

  removeToxic(name: string): void {
    const existing = this.findToxic(name);
    if (!existing) throw ErrToxicNotFound;
    const chain = this.toxics[existing.stream];
    chain.splice(chain.indexOf(existing), 1);
    for (const c of this.connections) c.links[existing.stream].removeToxic(name);
  }

  resetToxics(): void {
    for (const stream of STREAMS) {
      for (const t of [...this.toxics[stream]]) this.removeToxic(t.name);
    }
  }
}
