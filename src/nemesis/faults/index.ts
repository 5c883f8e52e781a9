/** The fault handlers, one per kind; looked up by fault kind (apply) or by name (undo). */
import type { FaultKind } from '../fault.js';
import type { HandlerName } from '../journal.js';
import { clockHandler } from './clock.js';
import { compoundHandler } from './compound.js';
import type { FaultHandler } from './handler.js';
import { linkHandler } from './link.js';
import { partitionHandler, lossHandler } from './network.js';
import { amnesiaHandler, killHandler, pauseHandler } from './process.js';

export type { AppliedFault, FaultHandler, Plan, PlanContext, UndoContext } from './handler.js';
export { FaultNotAvailableError } from './errors.js';

const HANDLERS: readonly FaultHandler[] = [
  partitionHandler,
  lossHandler,
  linkHandler,
  killHandler,
  pauseHandler,
  amnesiaHandler,
  clockHandler,
  compoundHandler,
];

export function handlerForKind(kind: FaultKind): FaultHandler {
  const h = HANDLERS.find((x) => x.kinds.includes(kind));
  if (!h) throw new Error(`unknown fault kind ${JSON.stringify(kind)}`);
  return h;
}

export function handlerNamed(name: HandlerName): FaultHandler {
  const h = HANDLERS.find((x) => x.name === name);
  if (!h) throw new Error(`journal names an unknown fault handler ${JSON.stringify(name)}`);
  return h;
}
