/**
 * Live events: LiveEvents pushed into a Subject come out of /api/events as server-sent events,
 * read here by a real HTTP client; a reconnecting client resumes from Last-Event-ID; the folded
 * state (what the live page shows) follows the events.
 */
import { request, type IncomingMessage } from 'node:http';
import { Subject } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { emptyLiveState, reduceLive, type LiveEvent } from '../../src/server/live.js';
import { FIXTURE_RUN_ID, tempResults, type TempResults } from './helpers.js';

interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** A minimal SSE reader over node:http: collects messages; `until` waits for a condition with a deadline. */
class SseClient {
  readonly messages: SseMessage[] = [];
  private res?: IncomingMessage;
  private buf = '';
  private waiters: (() => void)[] = [];
  private readonly req;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      this.res = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.feed(chunk));
    });
    this.req.on('error', () => {});
    this.req.end();
  }

  get status(): number | undefined {
    return this.res?.statusCode;
  }
  get contentType(): string | undefined {
    return this.res?.headers['content-type'];
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const m: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [k, ...rest] = line.split(':');
        const v = rest.join(':').replace(/^ /, '');
        if (k === 'event') m.event = v;
        else if (k === 'id') m.id = v;
        else if (k === 'data') data.push(v);
      }
      if (data.length === 0) continue;
      m.data = data.join('\n');
      this.messages.push(m);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  events(type = 'message'): LiveEvent[] {
    return this.messages
      .filter((m) => m.event === type)
      .map((m) => JSON.parse(m.data) as LiveEvent);
  }

  async until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  close(): void {
    this.req.destroy();
  }
}

const runDirOf = (root: string) => `${root}/${FIXTURE_RUN_ID}`;

let tmp: TempResults;
let server: RunningServer;
let live$: Subject<LiveEvent>;
const clients: SseClient[] = [];

beforeAll(async () => {
  tmp = await tempResults();
  live$ = new Subject<LiveEvent>();
  server = await startServer({ resultsRoot: tmp.root, live$ });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

function connect(path: string, headers?: Record<string, string>): SseClient {
  const c = new SseClient(new URL(path, server.url).href, headers);
  clients.push(c);
  return c;
}

describe('/api/events', () => {
  it('relays pushed LiveEvents to an SSE client, with run ids', async () => {
    const c = connect('/api/events');
    await c.until(() => c.events('snapshot').length === 1, 'the initial snapshot');
    expect(c.status).toBe(200);
    expect(c.contentType).toMatch(/^text\/event-stream/);

    const runDir = runDirOf(tmp.root);
    const sent: LiveEvent[] = [
      { type: 'daemon', state: 'running' },
      { type: 'trial-start', trial: 7, runDir, seed: 42 },
      {
        type: 'progress',
        trial: 7,
        elapsedMs: 1000,
        opsPerSec: 33.5,
        ok: 30,
        fail: 3,
        info: 1,
        activeFaults: [],
      },
      {
        type: 'fault',
        trial: 7,
        event: 'applied',
        id: 'f0',
        kind: 'partition',
        targets: ['n1', 'n2'],
      },
      {
        type: 'progress',
        trial: 7,
        elapsedMs: 2000,
        opsPerSec: 31,
        ok: 60,
        fail: 5,
        info: 2,
        activeFaults: ['f0'],
      },
      {
        type: 'fault',
        trial: 7,
        event: 'healed',
        id: 'f0',
        kind: 'partition',
        targets: ['n1', 'n2'],
      },
      {
        type: 'trial-end',
        trial: 7,
        runDir,
        valid: false,
        signature: 'linearizability:stale-read',
      },
      { type: 'shrink', trial: 7, step: 1, size: 12 },
    ];
    for (const e of sent) live$.next(e);
    await c.until(() => c.events().length === sent.length, `${sent.length} events`);

    const got = c.events();
    expect(got.map((e) => e.type)).toEqual(sent.map((e) => e.type));
    expect(got[3]).toEqual(sent[3]);
    expect(got[1]).toMatchObject({
      type: 'trial-start',
      trial: 7,
      seed: 42,
      runId: FIXTURE_RUN_ID,
    });
    expect(got[6]).toMatchObject({ valid: false, runId: FIXTURE_RUN_ID });
    // Ids increase, so a reconnect can resume.
    const ids = c.messages.filter((m) => m.event === 'message').map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends the folded state first, then replays what a reconnecting client missed', async () => {
    const first = connect('/api/events');
    await first.until(() => first.events('snapshot').length === 1, 'snapshot');
    live$.next({ type: 'trial-start', trial: 8, runDir: runDirOf(tmp.root), seed: 1 });
    live$.next({
      type: 'progress',
      trial: 8,
      elapsedMs: 500,
      opsPerSec: 10,
      ok: 5,
      fail: 0,
      info: 0,
      activeFaults: [],
    });
    await first.until(() => first.events().length === 2, 'two events');
    const lastId = first.messages.filter((m) => m.event === 'message')[0]!.id!;

    const again = connect('/api/events?state=1', { 'last-event-id': lastId });
    await again.until(() => again.events().length === 1, 'the missed progress event');
    expect(again.events()[0]).toMatchObject({ type: 'progress', trial: 8, ok: 5 });
    const state = again.events('state')[0] as unknown as ReturnType<typeof emptyLiveState> & {
      attached: boolean;
    };
    expect(state.attached).toBe(true);
    expect(state.current).toMatchObject({ trial: 8, ok: 5, seed: 1 });
    expect(state.totals).toMatchObject({ trials: 1, invalid: 1 });

    // With ?state=1 every event is followed by the new state.
    live$.next({
      type: 'fault',
      trial: 8,
      event: 'applied',
      id: 'f1',
      kind: 'kill',
      targets: ['n3'],
    });
    await again.until(() => again.events('state').length === 2, 'a state frame after the fault');
    const s2 = again.events('state')[1] as unknown as { current: { activeFaults: string[] } };
    expect(s2.current.activeFaults).toEqual(['f1']);
  });

  it('ends open event streams when the server closes', async () => {
    const t = await tempResults();
    const s = await startServer({ resultsRoot: t.root, live$: new Subject<LiveEvent>() });
    try {
      const c = new SseClient(new URL('/api/events', s.url).href);
      clients.push(c);
      await c.until(() => c.events('snapshot').length === 1, 'snapshot');
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error('close() hung with an SSE client open')), 5000);
      });
      try {
        await Promise.race([s.close(), hung]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await s.close();
      await t.cleanup();
    }
  });
});

describe('reduceLive', () => {
  it('tracks the current trial, active faults and verdict totals', () => {
    let s = emptyLiveState();
    s = reduceLive(s, { type: 'trial-start', trial: 1, runDir: '/r/t1', seed: 5 });
    s = reduceLive(s, {
      type: 'fault',
      trial: 1,
      event: 'applied',
      id: 'f0',
      kind: 'partition',
      targets: [],
    });
    s = reduceLive(s, {
      type: 'fault',
      trial: 1,
      event: 'applied',
      id: 'f1',
      kind: 'kill',
      targets: [],
    });
    s = reduceLive(s, {
      type: 'fault',
      trial: 1,
      event: 'healed',
      id: 'f0',
      kind: 'partition',
      targets: [],
    });
    expect(s.current?.activeFaults).toEqual(['f1']);
    // Progress of another trial does not overwrite the current one.
    s = reduceLive(s, {
      type: 'progress',
      trial: 2,
      elapsedMs: 1,
      opsPerSec: 1,
      ok: 99,
      fail: 0,
      info: 0,
      activeFaults: [],
    });
    expect(s.current?.ok).toBe(0);
    s = reduceLive(s, { type: 'trial-end', trial: 1, runDir: '/r/t1', valid: 'unknown' });
    expect(s.current).toBeNull();
    expect(s.totals).toEqual({ trials: 1, valid: 0, invalid: 0, unknown: 1 });
    expect(s.daemon).toBe('running');
    s = reduceLive(s, { type: 'daemon', state: 'stopped' });
    expect(s.daemon).toBe('stopped');
  });
});
