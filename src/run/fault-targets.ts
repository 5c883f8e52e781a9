/**
 * `--fault-targets n1,n2,n3`: point every fault of a schedule at named nodes (pure). A
 * partition then isolates exactly those nodes (its generated shape is dropped); the parts of a
 * compound fault are retargeted too; a partition from clients keeps its shape.
 */
import type { Schedule } from '../generators/schedule.js';
import type { JsonValue } from '../history/op.js';
import type { Fault } from '../nemesis/fault.js';

export function retargetFault(fault: Fault, nodes: readonly string[]): Fault {
  const targets = { nodes: [...nodes] };
  if (fault.kind === 'compound' && Array.isArray(fault.params?.faults)) {
    const parts = (fault.params.faults as unknown as Fault[]).map((f) => retargetFault(f, nodes));
    return { ...fault, params: { ...fault.params, faults: parts as unknown as JsonValue } };
  }
  if (fault.kind === 'partition' && fault.params?.shape !== 'clients') {
    const { shape: _shape, ...rest } = fault.params ?? {};
    return { kind: 'partition', targets, params: rest };
  }
  return { ...fault, targets };
}

export function withFaultTargets<S extends Schedule>(schedule: S, nodes: readonly string[]): S {
  return {
    ...schedule,
    faults: schedule.faults.map((f) => ({ ...f, fault: retargetFault(f.fault, nodes) })),
  };
}
