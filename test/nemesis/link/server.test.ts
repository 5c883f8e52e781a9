/**
 * Conformance of our Toxiproxy-API link proxy, driven through toxiproxy-node-client (the client
 * Faultline uses, which also drives a real Toxiproxy) on 127.0.0.1 with random ports.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, ToxiproxyError, type Proxy } from 'toxiproxy-node-client';
import { startLinkProxyServer, type LinkProxyServer } from '../../../src/nemesis/link/server.js';
import {
  probeOneWay,
  startProbeServer,
  type ProbeServer,
} from '../../../src/nemesis/link/probe.js';
import { closedWithin, connect, roundTrip, startEcho } from './helpers.js';

let server: LinkProxyServer;
let client: Toxiproxy;
let echo: Awaited<ReturnType<typeof startEcho>>;
let probe: ProbeServer;
let seq = 0;

beforeAll(async () => {
  server = await startLinkProxyServer({ host: '127.0.0.1', port: 0 });
  client = new Toxiproxy(server.url);
  echo = await startEcho();
  probe = await startProbeServer('127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close();
  await echo?.close();
  await probe?.close();
});

afterEach(async () => {
  for (const p of Object.values(await client.getAll())) await p.remove();
});

async function echoProxy(): Promise<Proxy> {
  return client.createProxy({
    name: `echo${++seq}`,
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${echo.port}`,
  });
}

const portOf = (p: Proxy): number => Number(p.listen.split(':').pop());

describe('link proxy server (Toxiproxy API)', () => {
  it('reports a version and lists created proxies with the bound listen address', async () => {
    expect(JSON.parse(await client.getVersion())).toMatchObject({ version: expect.any(String) });
    const p = await echoProxy();
    expect(p.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(p)).toBeGreaterThan(0);
    const all = await client.getAll();
    expect(Object.keys(all)).toEqual([p.name]);
    const raw = await (await fetch(`${server.url}/proxies/${p.name}`)).json();
    expect(raw).toEqual({
      name: p.name,
      listen: p.listen,
      upstream: `127.0.0.1:${echo.port}`,
      enabled: true,
      toxics: [],
    });
  });

  it('latency toxic: round trips take >= 200 ms, and are fast again once it is removed', async () => {
    const p = await echoProxy();
    const sock = await connect(portOf(p));
    try {
      const before = await roundTrip(sock);
      expect(before.ms).toBeLessThan(100);
      // Added while the connection is open: toxics apply to live connections.
      const toxic = await p.addToxic({
        name: 'lat',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 200, jitter: 0 },
      });
      expect(toxic.toJson()).toEqual({
        name: 'lat',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 200, jitter: 0 },
      });
      for (let i = 0; i < 3; i++) {
        const slow = await roundTrip(sock);
        expect(slow.ms).toBeGreaterThanOrEqual(199);
        expect(slow.data.length).toBe(16);
      }
      // A new connection gets the toxic too.
      const fresh = await connect(portOf(p));
      expect((await roundTrip(fresh)).ms).toBeGreaterThanOrEqual(199);
      fresh.destroy();

      await toxic.remove();
      expect((await client.get(p.name)).toJson()).toMatchObject({ name: p.name });
      expect(await (await fetch(`${server.url}/proxies/${p.name}/toxics`)).json()).toEqual([]);
      const after = await roundTrip(sock);
      expect(after.ms).toBeLessThan(100);
    } finally {
      sock.destroy();
    }
  });

  it('streams: an upstream toxic delays client->server bytes only', async () => {
    const p = await client.createProxy({
      name: `probe${++seq}`,
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${probe.port}`,
    });
    await p.addToxic({
      name: 'up',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    const samples = await probeOneWay('127.0.0.1', portOf(p), { samples: 3 });
    for (const s of samples) {
      expect(s.forwardMs).toBeGreaterThanOrEqual(199);
      expect(s.backwardMs).toBeLessThan(100);
    }
  });

  it('bandwidth toxic limits throughput', async () => {
    const p = await echoProxy();
    const sock = await connect(portOf(p));
    try {
      const bytes = 50_000;
      const free = await roundTrip(sock, bytes);
      expect(free.ms).toBeLessThan(300);
      await p.addToxic({
        name: 'bw',
        type: 'bandwidth',
        stream: 'downstream',
        toxicity: 1,
        attributes: { rate: 100 }, // 100 KB/s -> 50 KB needs ~500 ms
      });
      const limited = await roundTrip(sock, bytes);
      expect(limited.ms).toBeGreaterThanOrEqual(450);
      expect(limited.data.length).toBe(bytes);
      expect(limited.data[bytes - 1]).toBe((bytes - 1) % 251);
    } finally {
      sock.destroy();
    }
  });

  it('reset_peer toxic resets the connection when data flows', async () => {
    const p = await echoProxy();
    await p.addToxic({
      name: 'rst',
      type: 'reset_peer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const sock = await connect(portOf(p));
    const error = new Promise<NodeJS.ErrnoException | null>((resolve) => {
      sock.once('error', resolve);
      sock.once('close', () => resolve(null));
    });
    sock.write('hello');
    expect((await error)?.code).toBe('ECONNRESET');
  });

  it('timeout 0 black-holes: no answer, the connection stays open; removing it closes', async () => {
    const p = await echoProxy();
    const toxic = await p.addToxic({
      name: 'hole',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const sock = await connect(portOf(p));
    try {
      await expect(roundTrip(sock, 16, 600)).rejects.toThrow(/timeout after 0 of 16/);
      expect(sock.destroyed).toBe(false);
      expect(sock.readyState).toBe('open');
      // Like Toxiproxy: bytes were lost, so removing the toxic closes the connection.
      await toxic.remove();
      expect(await closedWithin(sock, 2000)).toBe(true);
    } finally {
      sock.destroy();
    }
  });

  it('timeout > 0 closes the connection after the timeout', async () => {
    const p = await echoProxy();
    await p.addToxic({
      name: 'to',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 300 },
    });
    const sock = await connect(portOf(p));
    const start = performance.now();
    expect(await closedWithin(sock, 3000)).toBe(true);
    expect(performance.now() - start).toBeGreaterThanOrEqual(250);
  });

  it('limit_data closes after the given bytes; toxicity 0 leaves connections alone', async () => {
    const p = await echoProxy();
    await p.addToxic({
      name: 'lim',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 10 },
    });
    const sock = await connect(portOf(p));
    await expect(roundTrip(sock, 100, 2000)).rejects.toThrow(/connection ended after 10 of 100/);
    const q = await echoProxy();
    await q.addToxic({
      name: 'never',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0,
      attributes: { latency: 1000, jitter: 0 },
    });
    const s2 = await connect(portOf(q));
    expect((await roundTrip(s2)).ms).toBeLessThan(500);
    s2.destroy();
  });

  it('slow_close delays the FIN; slicer passes data intact in delayed pieces', async () => {
    const p = await echoProxy();
    await p.addToxic({
      name: 'sc',
      type: 'slow_close',
      stream: 'downstream',
      toxicity: 1,
      attributes: { delay: 300 },
    });
    const sock = await connect(portOf(p));
    const start = performance.now();
    const ended = new Promise<number>((resolve) =>
      sock.once('end', () => resolve(performance.now() - start)),
    );
    sock.resume();
    sock.end('bye');
    expect(await ended).toBeGreaterThanOrEqual(280);
    sock.destroy();

    const q = await echoProxy();
    await q.addToxic({
      name: 'sl',
      type: 'slicer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 0, delay: 2000 },
    });
    const s2 = await connect(portOf(q));
    const r = await roundTrip(s2, 200);
    expect(r.data.length).toBe(200);
    expect(r.data[199]).toBe(199);
    expect(r.ms).toBeGreaterThanOrEqual(35); // 20 pieces, 2 ms apart
    s2.destroy();
  });

  it('disabling a proxy closes its listener; enabling reopens it; reset re-enables and clears', async () => {
    const p = await echoProxy();
    await p.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    const disabled = await p.update({ enabled: false, listen: p.listen, upstream: p.upstream });
    expect(disabled.enabled).toBe(false);
    await expect(connect(portOf(p))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await client.reset();
    const after = await client.get(p.name);
    expect(after.enabled).toBe(true);
    expect(after.listen).toBe(p.listen);
    expect(await (await fetch(`${server.url}/proxies/${p.name}/toxics`)).json()).toEqual([]);
    const sock = await connect(portOf(p));
    expect((await roundTrip(sock)).data.length).toBe(16);
    sock.destroy();
  });

  it('populate creates proxies and keeps identical ones', async () => {
    const body = [
      { name: 'pop1', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      { name: 'pop2', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
    ];
    const made = await client.populate(body);
    expect(Object.keys(made).sort()).toEqual(['pop1', 'pop2']);
    const sock = await connect(portOf(made.pop2!));
    expect((await roundTrip(sock)).data.length).toBe(16);
    sock.destroy();
    const again = await client.populate([{ ...body[0]!, listen: made.pop1!.listen }]);
    expect(again.pop1!.listen).toBe(made.pop1!.listen);
  });

  it('errors have Toxiproxy shapes and status codes', async () => {
    const get = async (path: string, init?: RequestInit): Promise<[number, unknown]> => {
      const res = await fetch(`${server.url}${path}`, init);
      return [res.status, await res.json()];
    };
    const post = (path: string, body: unknown): Promise<[number, unknown]> =>
      get(path, { method: 'POST', body: JSON.stringify(body) });

    await expect(client.get('nope')).rejects.toBeInstanceOf(ToxiproxyError);
    await expect(client.get('nope')).rejects.toThrow(/404/);
    expect(await get('/proxies/nope')).toEqual([404, { error: 'proxy not found', status: 404 }]);
    expect(await get('/proxies/nope', { method: 'DELETE' })).toEqual([
      404,
      { error: 'proxy not found', status: 404 },
    ]);

    const p = await echoProxy();
    await expect(
      client.createProxy({ name: p.name, listen: '127.0.0.1:0', upstream: p.upstream }),
    ).rejects.toThrow(/409/);
    expect(
      await post('/proxies', { name: p.name, listen: '127.0.0.1:0', upstream: p.upstream }),
    ).toEqual([409, { error: 'proxy already exists', status: 409 }]);
    expect(await post('/proxies', { name: 'x', listen: '127.0.0.1:0' })).toEqual([
      400,
      { error: 'missing required field: upstream', status: 400 },
    ]);

    const lat = { name: 't', type: 'latency', attributes: { latency: 1 } };
    expect(await post(`/proxies/${p.name}/toxics`, lat)).toEqual([
      200,
      { ...lat, stream: 'downstream', toxicity: 1, attributes: { latency: 1, jitter: 0 } },
    ]);
    expect(await post(`/proxies/${p.name}/toxics`, lat)).toEqual([
      409,
      { error: 'toxic already exists', status: 409 },
    ]);
    expect(await post(`/proxies/${p.name}/toxics`, { type: 'nonsense' })).toEqual([
      400,
      { error: 'invalid toxic type', status: 400 },
    ]);
    expect(
      await post(`/proxies/${p.name}/toxics`, { type: 'latency', stream: 'sideways' }),
    ).toEqual([
      400,
      { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
    ]);
    expect(await get(`/proxies/${p.name}/toxics/none`)).toEqual([
      404,
      { error: 'toxic not found', status: 404 },
    ]);
    const [status, body] = await get(`/proxies/${p.name}/toxics`, { method: 'POST', body: '{' });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: expect.stringMatching(/^bad request body: /),
      status: 400,
    });

    // Update merges attributes like Toxiproxy (missing fields keep their values).
    expect(await post(`/proxies/${p.name}/toxics/t`, { attributes: { jitter: 5 } })).toEqual([
      200,
      { ...lat, stream: 'downstream', toxicity: 1, attributes: { latency: 1, jitter: 5 } },
    ]);
    const res = await fetch(`${server.url}/proxies/${p.name}/toxics/t`, { method: 'DELETE' });
    expect(res.status).toBe(204);
  });
});
