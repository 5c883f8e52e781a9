/**
 * One handler per fault kind: `plan` resolves what the fault will change and how to undo it (the
 * Undo record is journaled, fsynced, before `run` applies it); `undo` heals from that record
 * alone, in this process or in a later one after a crash (src/recovery/recover.ts). Handlers act
 * on nodes only through the NemesisCluster port and the nodes' Remotes.
 */
import type { JsonValue } from '../../history/op.js';
import type { Logger } from '../../log.js';
import type { NemesisCluster } from '../cluster-port.js';
import type { Fault, FaultKind } from '../fault.js';
import type { HandlerName, Undo } from '../journal.js';
import type { Cut } from '../partition.js';
import type { Rng } from '../rng.js';
import type { Verification } from '../verify.js';
import type { AppliedLinkFault, LinkFaultSpec } from '../link/types.js';

/** What the nemesis needs of the link-proxy backend (src/nemesis/link, `LinkFaults`). */
export interface LinkBackend {
  apply(spec: LinkFaultSpec): Promise<AppliedLinkFault>;
  heal(id: string): Promise<unknown>;
  /** Optional: measured effect of an applied fault (e.g. one-way latency). */
  verify?(id: string): Promise<unknown>;
}

export interface AppliedFault {
  id: string;
  fault: Fault;
  /** Nodes the fault touches. */
  targets: string[];
  /** Resolved details (the grudge of a partition, the rejoin method of amnesia...). */
  details: { [k: string]: JsonValue };
  verification: Verification;
  appliedAt: string;
  parts?: AppliedFault[];
}

export interface Plan {
  targets: string[];
  undo: Undo;
  details: { [k: string]: JsonValue };
  /** Partition cuts, re-probed after the heal to verify connectivity is back. */
  cuts?: Cut[];
  run: () => Promise<{
    verification: Verification;
    details?: { [k: string]: JsonValue };
    parts?: AppliedFault[];
  }>;
}

export interface PlanContext {
  cluster: NemesisCluster;
  id: string;
  fault: Fault;
  params: { [k: string]: JsonValue | undefined };
  rng: Rng;
  /** Node names, in definition order. */
  names: string[];
  /** The fault's resolved targets ([] for compound). */
  targets: string[];
  /** Current leaders, when the fault asked for them. */
  primaries: string[];
  link: LinkBackend | undefined;
  logger: Logger;
  /** Plans a sub-fault (compound). */
  planPart(id: string, fault: Fault): Promise<Plan>;
}

export interface UndoContext {
  cluster: NemesisCluster;
  link: LinkBackend | undefined;
  /** Undoes a nested record (compound parts) through its own handler. */
  undoPart(undo: Undo): Promise<Verification>;
}

export interface FaultHandler {
  readonly name: HandlerName;
  readonly kinds: readonly FaultKind[];
  plan(ctx: PlanContext): Promise<Plan>;
  undo(undo: Undo, ctx: UndoContext): Promise<Verification>;
}

/** Narrows an Undo to the handler's own variant (a record names its handler). */
export function undoOf<H extends HandlerName>(
  undo: Undo,
  handler: H,
): Extract<Undo, { handler: H }> {
  if (undo.handler !== handler)
    throw new Error(`undo record for ${undo.handler} given to the ${handler} handler`);
  return undo as Extract<Undo, { handler: H }>;
}
