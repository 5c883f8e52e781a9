/**
 * LiveHub: subscribes once to the daemon's event stream, keeps the folded LiveState and the last
 * events (so a reconnecting browser can resume by Last-Event-ID), and fans events out to SSE
 * clients. Without a stream it still serves a (quiet) state, so the live page works either way.
 */
import type { ServerResponse } from 'node:http';
import type { Observable, Subscription } from 'rxjs';
import { emptyLiveState, reduceLive, type LiveEvent, type LiveState } from './live.js';

/** An event as sent to browsers: the LiveEvent plus `runId` (its run under the results root). */
export type WireEvent = LiveEvent & { runId?: string | null };

const BUFFER = 500;
const HEARTBEAT_MS = 15_000;

interface Client {
  res: ServerResponse;
  /** Also send the whole state after each event (the live page uses this). */
  withState: boolean;
}

export class LiveHub {
  private state: LiveState = emptyLiveState();
  private seq = 0;
  private readonly recent: { id: number; event: WireEvent }[] = [];
  private readonly clients = new Set<Client>();
  private readonly sub: Subscription | null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    live$: Observable<LiveEvent> | undefined,
    private readonly runIdOf: (runDir: string) => string | null,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.sub =
      live$?.subscribe({
        next: (e) => this.push(e),
        error: (err) => this.onError(err),
      }) ?? null;
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get attached(): boolean {
    return this.sub !== null;
  }

  /** The state with run ids added, as JSON-ready data. */
  snapshot(): LiveState & { attached: boolean; runIds: Record<string, string | null> } {
    const runIds: Record<string, string | null> = {};
    for (const d of [
      this.state.current?.runDir,
      this.state.shrinking?.runDir,
      ...this.state.finished.map((f) => f.runDir),
    ]) {
      if (d !== undefined) runIds[d] = this.runIdOf(d);
    }
    return { ...this.state, attached: this.attached, runIds };
  }

  /** Run directories being written now: the current trial's and a shrink attempt's. */
  runningDirs(): string[] {
    const dirs = [this.state.current?.runDir, this.state.shrinking?.attempt?.runDir];
    return dirs.filter((d): d is string => d !== undefined);
  }

  private push(e: LiveEvent): void {
    try {
      this.state = reduceLive(this.state, e);
    } catch (err) {
      this.onError(err);
      return;
    }
    const wire: WireEvent =
      e.type === 'trial-start' || e.type === 'trial-end'
        ? { ...e, runId: this.runIdOf(e.runDir) }
        : e;
    const id = ++this.seq;
    this.recent.push({ id, event: wire });
    if (this.recent.length > BUFFER) this.recent.shift();
    const frame = `id: ${id}\ndata: ${JSON.stringify(wire)}\n\n`;
    let stateFrame: string | undefined;
    for (const c of this.clients) {
      c.res.write(frame);
      if (c.withState)
        c.res.write((stateFrame ??= `event: state\ndata: ${JSON.stringify(this.snapshot())}\n\n`));
    }
  }

  /** Takes over `res` as an SSE stream until the client goes away or the hub closes. */
  attach(res: ServerResponse, opts: { lastEventId?: string; withState: boolean }): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n`);
    res.write(
      `event: ${opts.withState ? 'state' : 'snapshot'}\ndata: ${JSON.stringify(this.snapshot())}\n\n`,
    );
    const last = Number(opts.lastEventId);
    if (Number.isInteger(last) && last > 0) {
      for (const r of this.recent) {
        if (r.id > last) res.write(`id: ${r.id}\ndata: ${JSON.stringify(r.event)}\n\n`);
      }
    }
    const client: Client = { res, withState: opts.withState };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
  }

  close(): void {
    this.sub?.unsubscribe();
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
