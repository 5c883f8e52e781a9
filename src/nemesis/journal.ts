/**
 * The fault journal: one JSON line per event, fsynced, written BEFORE a fault is applied (with
 * everything needed to undo it) and after it is healed. After a crash, the unhealed faults of a
 * journal are exactly what recovery must undo. Lives in the run directory as
 * faults.journal.jsonl; the cluster's state file points at it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessRef } from '../control/remote.js';
import type { JsonValue } from '../history/op.js';
import type { Backend } from '../placement/placement.js';
import type { Fault } from './fault.js';
import type { RuleSet } from './iptables.js';

/**
 * What it takes to undo a fault, recorded before it is applied. `handler` names the fault
 * handler whose `undo` heals it (src/nemesis/faults/), `backend` the placement the nodes were
 * on, so crash recovery heals through the right handler and backend.
 */
export type Undo = { backend: Backend } & (
  | { handler: 'partition'; rules: RuleSet[] }
  | { handler: 'loss'; rules: RuleSet[] }
  /** Processes stopped with SIGSTOP (SIGCONT them). */
  | { handler: 'pause'; paused: ProcessRef[] }
  /** Members killed (restart) or wiped (rejoin). */
  | { handler: 'kill'; down: { node: string; how: 'killed' | 'amnesia' }[] }
  | { handler: 'amnesia'; down: { node: string; how: 'killed' | 'amnesia' }[] }
  /** Clock offsets written to faketime files on the nodes (write +0); [] when not applied. */
  | { handler: 'clock'; clock: { node: string; file: string }[] }
  /** Link-proxy faults (the link backend heals them by id). */
  | { handler: 'link'; link: { id: string } }
  /** Parts of a compound fault. */
  | { handler: 'compound'; parts: { id: string; undo: Undo }[] }
);

export type HandlerName = Undo['handler'];

export type JournalEntry =
  | {
      event: 'apply';
      id: string;
      at: string;
      fault: Fault;
      targets: string[];
      /** The handler and backend that heal it (also inside `undo`). */
      handler: HandlerName;
      backend: Backend;
      undo: Undo;
      pid: number;
    }
  | { event: 'applied'; id: string; at: string; verification: JsonValue }
  | { event: 'apply-failed'; id: string; at: string; error: string }
  | { event: 'heal'; id: string; at: string }
  | { event: 'healed'; id: string; at: string; verification?: JsonValue };

type NewEntry = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'at'>
    : never
  : never;

export class FaultJournal {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {}

  static open(path: string): FaultJournal {
    mkdirSync(dirname(path), { recursive: true });
    return new FaultJournal(path, openSync(path, 'a'));
  }

  /** Appends and fsyncs one entry: when this returns, the entry survives a crash. */
  write(entry: NewEntry): void {
    if (this.fd === undefined) throw new Error(`journal ${this.path} is closed`);
    const line = JSON.stringify({ ...entry, at: new Date().toISOString() }) + '\n';
    writeSync(this.fd, line);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a journal; a torn last line (crash mid-write) is ignored. */
export function readJournal(path: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      // torn write at the end of a crashed journal
    }
  }
  return out;
}

/** The `apply` entries of faults never healed (pure): what crash recovery must undo. */
export function unhealedFaults(
  entries: readonly JournalEntry[],
): Extract<JournalEntry, { event: 'apply' }>[] {
  const healed = new Set(entries.filter((e) => e.event === 'healed').map((e) => e.id));
  return entries.filter(
    (e): e is Extract<JournalEntry, { event: 'apply' }> => e.event === 'apply' && !healed.has(e.id),
  );
}
