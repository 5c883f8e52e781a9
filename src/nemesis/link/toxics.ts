/**
 * Toxics: what a link proxy does to the bytes of one direction of one connection.
 *
 * The JSON shape, names, defaults and attribute fields follow Toxiproxy (toxics/*.go,
 * toxic_collection.go) so toxiproxy-node-client and Toxiproxy users see the same API:
 * `{name, type, stream, toxicity, attributes}`, stream defaulting to `downstream`, toxicity to 1,
 * name to `<type>_<stream>`.
 *
 * Each toxic becomes one Stage per connection direction; the stages of a direction form a chain
 * (in the order the toxics were added) between the socket we read from and the socket we write to.
 * Toxiproxy decides per connection whether a toxic applies (`rand < toxicity`), and again when the
 * toxic is updated; so do we.
 */
import { performance } from 'node:perf_hooks';
import { ApiError, ErrBadRequestBody, ErrInvalidStream, ErrInvalidToxicType } from './api-error.js';

export type Stream = 'upstream' | 'downstream';
export const STREAMS: readonly Stream[] = ['upstream', 'downstream'];

/** Attribute fields (all integers, like Toxiproxy's int64 fields) and their zero defaults. */
const ATTRIBUTE_FIELDS = {
  latency: ['latency', 'jitter'], // ms
  bandwidth: ['rate'], // KB/s (1 KB = 1000 bytes, as Toxiproxy computes it)
  slow_close: ['delay'], // ms
  timeout: ['timeout'], // ms; 0 = never close (black hole)
  reset_peer: ['timeout'], // ms
  limit_data: ['bytes'],
  slicer: ['average_size', 'size_variation', 'delay'], // bytes, bytes, microseconds
} as const;

export type ToxicType = keyof typeof ATTRIBUTE_FIELDS;
export const TOXIC_TYPES = Object.keys(ATTRIBUTE_FIELDS) as ToxicType[];

export interface ToxicSpec {
  name: string;
  type: ToxicType;
  stream: Stream;
  toxicity: number;
  attributes: Record<string, number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badBody(detail: string): ApiError {
  return ApiError.join(ErrBadRequestBody, detail);
}

/** Reads attributes over `base` (Toxiproxy decodes JSON over the existing struct on update). */
function parseAttributes(
  type: ToxicType,
  raw: unknown,
  base: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = { ...base };
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) throw badBody('attributes must be an object');
  for (const field of ATTRIBUTE_FIELDS[type]) {
    const v = raw[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw badBody(`attributes.${field} of a ${type} toxic must be an integer`);
    }
    if (v < 0) throw badBody(`attributes.${field} of a ${type} toxic must be >= 0`);
    out[field] = v;
  }
  return out;
}

function parseToxicity(raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw badBody('toxicity must be a number');
  return raw;
}

/** A new toxic from a POST /proxies/{proxy}/toxics body. Throws ApiError like Toxiproxy. */
export function parseToxic(body: unknown): ToxicSpec {
  if (!isRecord(body)) throw badBody('expected a JSON object');
  const stream = body.stream === undefined || body.stream === '' ? 'downstream' : body.stream;
  if (stream !== 'upstream' && stream !== 'downstream') throw ErrInvalidStream;
  const type = body.type;
  if (typeof type !== 'string' || !(TOXIC_TYPES as string[]).includes(type)) {
    throw ErrInvalidToxicType;
  }
  const t = type as ToxicType;
  if (body.name !== undefined && typeof body.name !== 'string')
    throw badBody('name must be a string');
  const name = body.name ? body.name : `${t}_${stream}`;
  const zero = Object.fromEntries(ATTRIBUTE_FIELDS[t].map((f) => [f, 0]));
  return {
    name,
    type: t,
    stream,
    toxicity: parseToxicity(body.toxicity, 1),
    attributes: parseAttributes(t, body.attributes, zero),
  };
}

/** An updated toxic from a POST/PATCH /proxies/{proxy}/toxics/{toxic} body. */
export function updateToxic(existing: ToxicSpec, body: unknown): ToxicSpec {
  if (!isRecord(body)) throw badBody('expected a JSON object');
  return {
    ...existing,
    toxicity: parseToxicity(body.toxicity, existing.toxicity),
    attributes: parseAttributes(existing.type, body.attributes, existing.attributes),
  };
}

/** What a stage can ask of the link that runs it. */
export interface StageHost {
  /** Pass bytes to the next stage (or the destination socket). */
  emit(stage: Stage, chunk: Buffer): void;
  /** Pass end-of-stream on. */
  emitEnd(stage: Stage): void;
  /** Close the whole connection: `close` = FIN, `reset` = RST (SO_LINGER 0). */
  closeConnection(mode: 'close' | 'reset'): void;
}

const now = (): number => performance.now();

/** One toxic running on one direction of one connection. */
export abstract class Stage {
  /** Whether this connection drew the toxic (toxicity); a stage that did not is a plain pipe. */
  protected active = false;

  constructor(
    public spec: ToxicSpec,
    protected readonly host: StageHost,
  ) {
    this.active = Math.random() < spec.toxicity;
  }

  abstract push(chunk: Buffer): void;
  abstract end(): void;
  /** Bytes held inside the stage, for back-pressure. */
  held(): number {
    return 0;
  }
  update(spec: ToxicSpec): void {
    this.spec = spec;
    this.active = Math.random() < spec.toxicity;
  }
  /** The toxic is being removed: hand on everything held now (Toxiproxy never drops it). */
  detach(): void {
    this.dispose();
  }
  /** The connection is gone: stop timers. */
  dispose(): void {}
}

interface Timed {
  data: Buffer | null; // null = end of stream
  at: number; // performance.now() ms at which to release
}

/** A stage that releases what it holds at scheduled times, in order (latency, bandwidth, slicer). */
abstract class ScheduledStage extends Stage {
  private queue: Timed[] = [];
  private heldBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  protected lastAt(): number {
    const last = this.queue[this.queue.length - 1];
    return last ? last.at : 0;
  }

  /** Never release before anything queued earlier: a stream is not reordered. */
  protected enqueue(data: Buffer | null, at: number): void {
    this.queue.push({ data, at: Math.max(at, this.lastAt()) });
    if (data) this.heldBytes += data.length;
    this.pump();
  }

  private pump(): void {
    const t = now();
    while (this.queue.length > 0 && this.queue[0]!.at <= t) this.release(this.queue.shift()!);
    this.schedule();
  }

  private release(item: Timed): void {
    if (item.data) {
      this.heldBytes -= item.data.length;
      this.host.emit(this, item.data);
    } else {
      this.host.emitEnd(this);
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.queue[0];
    if (head) this.timer = setTimeout(() => this.pump(), Math.max(0, head.at - now()));
  }

  override held(): number {
    return this.heldBytes;
  }

  override end(): void {
    this.enqueue(null, now());
  }

  override detach(): void {
    this.dispose();
    const items = this.queue;
    this.queue = [];
    for (const item of items) this.release(item);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Delays every chunk by latency ± jitter ms from when it arrived. */
class LatencyStage extends ScheduledStage {
  push(chunk: Buffer): void {
    if (!this.active) return this.enqueue(chunk, now());
    const { latency = 0, jitter = 0 } = this.spec.attributes;
    const delay = jitter > 0 ? latency + Math.random() * 2 * jitter - jitter : latency;
    this.enqueue(chunk, now() + delay);
  }
}

/** Passes at most `rate` KB/s, in pieces of at most 100 ms worth of bytes (as Toxiproxy). */
class BandwidthStage extends ScheduledStage {
  push(chunk: Buffer): void {
    const rate = this.spec.attributes.rate ?? 0; // bytes per ms
    if (!this.active || rate <= 0) return this.enqueue(chunk, now());
    const piece = rate * 100;
    for (let off = 0; off < chunk.length; off += piece) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
      this.enqueue(part, Math.max(now(), this.lastAt()) + part.length / rate);
    }
  }
}

/** Cuts chunks into pieces of average_size ± size_variation bytes, `delay` µs apart. */
class SlicerStage extends ScheduledStage {
  push(chunk: Buffer): void {
    const { average_size: avg = 0, size_variation: vary = 0, delay = 0 } = this.spec.attributes;
    if (!this.active || avg <= 0) return this.enqueue(chunk, now());
    let off = 0;
    while (off < chunk.length) {
      const size = Math.max(1, Math.round(avg + (Math.random() * 2 - 1) * Math.min(vary, avg - 1)));
      const part = chunk.subarray(off, Math.min(chunk.length, off + size));
      off += part.length;
      this.enqueue(part, Math.max(now(), this.lastAt()) + delay / 1000);
    }
  }
}

/**
 * Swallows all data. timeout > 0: closes the connection that long after the toxic started on it;
 * timeout 0: the connection stays open (a black hole). Removing the toxic closes the connection,
 * as Toxiproxy's Cleanup does: bytes were lost, so the stream cannot go on.
 */
class TimeoutStage extends Stage {
  private timer: NodeJS.Timeout | undefined;
  constructor(spec: ToxicSpec, host: StageHost) {
    super(spec, host);
    this.arm();
  }
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const timeout = this.spec.attributes.timeout ?? 0;
    if (this.active && timeout > 0) {
      this.timer = setTimeout(() => this.host.closeConnection('close'), timeout);
    }
  }
  push(chunk: Buffer): void {
    if (!this.active) this.host.emit(this, chunk);
  }
  end(): void {
    this.host.emitEnd(this);
  }
  override update(spec: ToxicSpec): void {
    super.update(spec);
    this.arm();
  }
  override detach(): void {
    this.dispose();
    if (this.active) this.host.closeConnection('close');
  }
  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** On the first data (or end) after it started, waits `timeout` ms and resets the connection. */
class ResetPeerStage extends Stage {
  private timer: NodeJS.Timeout | undefined;
  private trigger(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => this.host.closeConnection('reset'),
      this.spec.attributes.timeout ?? 0,
    );
  }
  push(chunk: Buffer): void {
    if (!this.active) return this.host.emit(this, chunk);
    this.trigger();
  }
  end(): void {
    if (!this.active) return this.host.emitEnd(this);
    this.trigger();
  }
  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Delays the end of the stream (the FIN) by `delay` ms. */
class SlowCloseStage extends Stage {
  private timer: NodeJS.Timeout | undefined;
  push(chunk: Buffer): void {
    this.host.emit(this, chunk);
  }
  end(): void {
    if (!this.active) return this.host.emitEnd(this);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.host.emitEnd(this);
    }, this.spec.attributes.delay ?? 0);
  }
  override detach(): void {
    const pending = this.timer !== undefined;
    this.dispose();
    if (pending) this.host.emitEnd(this);
  }
  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Passes `bytes` bytes in this direction, then closes the connection. */
class LimitDataStage extends Stage {
  private transmitted = 0;
  push(chunk: Buffer): void {
    if (!this.active) return this.host.emit(this, chunk);
    const remaining = Math.max(0, (this.spec.attributes.bytes ?? 0) - this.transmitted);
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    if (part.length > 0) {
      this.transmitted += part.length;
      this.host.emit(this, part);
    }
    if ((this.spec.attributes.bytes ?? 0) - this.transmitted <= 0) {
      this.host.closeConnection('close');
    }
  }
  end(): void {
    this.host.emitEnd(this);
  }
}

const STAGES: Record<ToxicType, new (spec: ToxicSpec, host: StageHost) => Stage> = {
  latency: LatencyStage,
  bandwidth: BandwidthStage,
  slicer: SlicerStage,
  timeout: TimeoutStage,
  reset_peer: ResetPeerStage,
  slow_close: SlowCloseStage,
  limit_data: LimitDataStage,
};

export function createStage(spec: ToxicSpec, host: StageHost): Stage {
  return new STAGES[spec.type](spec, host);
}
