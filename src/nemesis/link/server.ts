/**
 * A userspace TCP link proxy that speaks Toxiproxy's HTTP API (the subset Faultline needs, with
 * Toxiproxy's routes, status codes and JSON shapes; see api.go upstream):
 *
 *   GET  /version                        {"version": "..."}
 *   GET  /proxies                        {name: proxy, ...}
 *   POST /proxies                        201 proxy | 409 proxy already exists | 400 missing field
 *   POST /populate                       201 {"proxies": [...]}
 *   POST /reset                          204: every proxy enabled, every toxic removed
 *   GET|POST(PATCH)|DELETE /proxies/{p}  proxy | updated proxy | 204; 404 proxy not found
 *   GET|POST /proxies/{p}/toxics         [toxic...] | toxic (200)
 *   GET|POST(PATCH)|DELETE /proxies/{p}/toxics/{t}
 *
 * Errors are `{"error": "...", "status": N}`. A proxy is `{name, listen, upstream, enabled,
 * toxics}` and a toxic `{name, type, stream, toxicity, attributes}`. So toxiproxy-node-client, or
 * any Toxiproxy client, drives it; and Faultline can drive a real Toxiproxy server instead.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError,
  ErrBadRequestBody,
  ErrMissingField,
  ErrProxyAlreadyExists,
  ErrProxyNotFound,
  ErrToxicNotFound,
} from './api-error.js';
import { Proxy, splitHostPort } from './proxy.js';

/** The Toxiproxy API level implemented, marked as ours. */
export const LINK_PROXY_VERSION = '2.12.0-faultline';

const MAX_BODY = 1024 * 1024;

export interface LinkProxyServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8474 */
  readonly url: string;
  readonly proxies: ReadonlyMap<string, Proxy>;
  close(): Promise<void>;
}

class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(ApiError.join(ErrBadRequestBody, 'body too large'));
      else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw ApiError.join(ErrBadRequestBody, 'EOF');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.join(ErrBadRequestBody, (e as Error).message);
  }
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw ApiError.join(ErrBadRequestBody, 'expected a JSON object');
  }
  return v as Record<string, unknown>;
}

function optString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw ApiError.join(ErrBadRequestBody, `${field} must be a string`);
  return v;
}

function optBool(o: Record<string, unknown>, field: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw ApiError.join(ErrBadRequestBody, `${field} must be a boolean`);
  return v;
}

/** The proxies and the operations on them; every mutation runs one at a time. */
class ProxyCollection {
  readonly proxies = new Map<string, Proxy>();
  private queue: Promise<unknown> = Promise.resolve();

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  get(name: string): Proxy {
    const p = this.proxies.get(name);
    if (!p) throw ErrProxyNotFound;
    return p;
  }

  private static input(
    raw: unknown,
    where = '',
  ): { name: string; listen: string; upstream: string; enabled: boolean | undefined } {
    const o = asObject(raw);
    const name = optString(o, 'name') ?? '';
    const upstream = optString(o, 'upstream') ?? '';
    if (name === '') throw ApiError.join(ErrMissingField, `name${where}`);
    if (upstream === '') throw ApiError.join(ErrMissingField, `upstream${where}`);
    splitHostPort(upstream);
    return { name, listen: optString(o, 'listen') ?? '', upstream, enabled: optBool(o, 'enabled') };
  }

  async create(raw: unknown): Promise<Proxy> {
    const input = ProxyCollection.input(raw);
    if (this.proxies.has(input.name)) throw ErrProxyAlreadyExists;
    const proxy = new Proxy(input.name, input.listen, input.upstream);
    if (input.enabled !== false) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** Toxiproxy's PopulateJson: validate all, then add or replace (same addresses: keep). */
  async populate(raw: unknown): Promise<Proxy[]> {
    if (!Array.isArray(raw)) throw ApiError.join(ErrBadRequestBody, 'expected a JSON array');
    const inputs = raw.map((r, i) => ProxyCollection.input(r, ` at proxy ${i + 1}`));
    const names = new Set<string>();
    for (const i of inputs) {
      if (names.has(i.name)) throw new ApiError(`duplicate proxy name "${i.name}"`, 500);
      names.add(i.name);
    }
    const result: Proxy[] = [];
    for (const input of inputs) {
      const existing = this.proxies.get(input.name);
      if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
        result.push(existing);
        continue;
      }
      if (existing) {
        await existing.stop();
        this.proxies.delete(existing.name);
      }
      const proxy = new Proxy(input.name, input.listen, input.upstream);
      if (input.enabled !== false) await proxy.start();
      this.proxies.set(proxy.name, proxy);
      result.push(proxy);
    }
    return result;
  }

  async update(name: string, raw: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    const o = asObject(raw);
    await proxy.update({
      listen: optString(o, 'listen') ?? proxy.listen,
      upstream: optString(o, 'upstream') ?? proxy.upstream,
      enabled: optBool(o, 'enabled') ?? proxy.enabled,
    });
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  async reset(): Promise<void> {
    for (const p of this.proxies.values()) {
      await p.start();
      p.resetToxics();
    }
  }

  async closeAll(): Promise<void> {
    for (const p of this.proxies.values()) await p.stop();
    this.proxies.clear();
  }
}

type Handler = (params: string[], body: () => Promise<unknown>) => Promise<Reply>;
interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

function routes(c: ProxyCollection): Route[] {
  const proxyJson = (p: Proxy): unknown => p.toJSON();
  return [
    {
      pattern: /^\/version$/,
      methods: { GET: async () => new Reply(200, { version: LINK_PROXY_VERSION }) },
    },
    {
      pattern: /^\/reset$/,
      methods: { POST: () => c.serial(async () => (await c.reset(), new Reply(204))) },
    },
    {
      pattern: /^\/populate$/,
      methods: {
        POST: async (_p, body) => {
          const raw = await body();
          return c.serial(async () => {
            const proxies = await c.populate(raw);
            return new Reply(201, { proxies: proxies.map(proxyJson) });
          });
        },
      },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        GET: async () =>
          new Reply(200, Object.fromEntries([...c.proxies].map(([n, p]) => [n, proxyJson(p)]))),
        POST: async (_p, body) => {
          const raw = await body();
          return c.serial(async () => new Reply(201, proxyJson(await c.create(raw))));
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)$/,
      methods: {
        GET: async ([name]) => new Reply(200, proxyJson(c.get(name!))),
        POST: async ([name], body) => {
          const raw = await body();
          return c.serial(async () => new Reply(200, proxyJson(await c.update(name!, raw))));
        },
        DELETE: ([name]) => c.serial(async () => (await c.remove(name!), new Reply(204))),
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics$/,
      methods: {
        GET: async ([name]) => new Reply(200, c.get(name!).toxicList()),
        POST: async ([name], body) => {
          const raw = await body();
          return c.serial(async () => new Reply(200, c.get(name!).addToxic(raw)));
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      methods: {
        GET: async ([name, toxic]) => {
          const t = c.get(name!).findToxic(toxic!);
          if (!t) throw ErrToxicNotFound;
          return new Reply(200, t);
        },
        POST: async ([name, toxic], body) => {
          const raw = await body();
          return c.serial(async () => new Reply(200, c.get(name!).updateToxic(toxic!, raw)));
        },
        DELETE: ([name, toxic]) =>
          c.serial(async () => (c.get(name!).removeToxic(toxic!), new Reply(204))),
      },
    },
  ];
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}

async function handle(table: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Toxiproxy refuses browsers, so a web page cannot reconfigure the network (CSRF).
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    return send(res, 403, 'User agent not allowed\n');
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const route = table.find((r) => r.pattern.test(path));
  if (!route) return send(res, 404, '404 page not found\n');
  const method = req.method === 'PATCH' ? 'POST' : (req.method ?? 'GET');
  const handler = route.methods[method];
  if (!handler) return send(res, 405);
  const params = (route.pattern.exec(path) ?? []).slice(1).map((s) => decodeURIComponent(s));
  try {
    const reply = await handler(params, async () => parseJson(await readBody(req)));
    send(res, reply.status, reply.body);
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError((e as Error).message, 500);
    send(res, err.status, err.toJSON());
  }
}

/** Starts the API on host:port (port 0 = any). */
export async function startLinkProxyServer(opts: {
  host: string;
  port: number;
}): Promise<LinkProxyServer> {
  const collection = new ProxyCollection();
  const table = routes(collection);
  const server = http.createServer((req, res) => {
    handle(table, req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    proxies: collection.proxies,
    async close() {
      await collection.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
