/**
 * A ToxicLink carries one direction of one proxied connection: bytes read from `source` pass
 * through the chain of toxic stages and are written to `dest`. With no toxic it is a plain pipe
 * with back-pressure (the source is paused while too much is held or unwritten), so an idle proxy
 * adds little latency.
 */
import type { Socket } from 'node:net';
import { createStage, type Stage, type StageHost, type Stream, type ToxicSpec } from './toxics.js';

// Back-pressure bounds: pause reading when this much is held in stages or unwritten.
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

export interface ConnectionControl {
  close(mode: 'close' | 'reset'): void;
}

export class ToxicLink implements StageHost {
  private stages: Stage[] = [];
  private paused = false;
  private endDelivered = false;
  private disposed = false;

  constructor(
    readonly stream: Stream,
    private readonly source: Socket,
    private readonly dest: Socket,
    toxics: readonly ToxicSpec[],
    private readonly connection: ConnectionControl,
  ) {
    for (const spec of toxics) this.stages.push(createStage(spec, this));
    source.on('data', (chunk: Buffer) => this.input(chunk));
    source.on('end', () => this.inputEnd());
    dest.on('drain', () => this.pressure());
  }

  private input(chunk: Buffer): void {
    if (this.disposed) return;
    const first = this.stages[0];
    if (first) first.push(chunk);
    else this.write(chunk);
    this.pressure();
  }

  private inputEnd(): void {
    if (this.disposed) return;
    const first = this.stages[0];
    if (first) first.end();
    else this.deliverEnd();
  }

  private write(chunk: Buffer): void {
    if (this.dest.destroyed || this.dest.writableEnded) return;
    this.dest.write(chunk);
  }

  private deliverEnd(): void {
    if (this.endDelivered) return;
    this.endDelivered = true;
    if (!this.dest.destroyed && !this.dest.writableEnded) this.dest.end();
  }

  /** Pause the source while too much is held; resume once it has drained. */
  private pressure(): void {
    if (this.disposed) return;
    let pending = this.dest.writableLength;
    for (const s of this.stages) pending += s.held();
    if (!this.paused && pending > HIGH_WATER) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && pending < LOW_WATER) {
      this.paused = false;
      this.source.resume();
    }
  }

  // StageHost
  emit(stage: Stage, chunk: Buffer): void {
    const i = this.stages.indexOf(stage);
    if (i < 0 || this.disposed) return;
    const next = this.stages[i + 1];
    if (next) next.push(chunk);
    else this.write(chunk);
    this.pressure();
  }

  emitEnd(stage: Stage): void {
    const i = this.stages.indexOf(stage);
    if (i < 0 || this.disposed) return;
    const next = this.stages[i + 1];
    if (next) next.end();
    else this.deliverEnd();
  }

  closeConnection(mode: 'close' | 'reset'): void {
    this.connection.close(mode);
  }

  // Toxic changes while the connection is open (Toxiproxy appends new toxics to the chain's end).
  addToxic(spec: ToxicSpec): void {
    if (!this.disposed) this.stages.push(createStage(spec, this));
  }

  updateToxic(spec: ToxicSpec): void {
    this.stages.find((s) => s.spec.name === spec.name)?.update(spec);
  }

  removeToxic(name: string): void {
    const stage = this.stages.find((s) => s.spec.name === name);
    if (!stage) return;
    stage.detach(); // flushes what it held to the next stage while it is still in the chain
    this.stages = this.stages.filter((s) => s !== stage);
    this.pressure();
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.stages) s.dispose();
  }
}
