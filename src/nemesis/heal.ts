/**
 * Undoing a journaled Undo record through the handler it names: used by the Nemesis's heal and
 * by crash recovery (src/recovery/recover.ts), which has only the journal and the state file.
 */
import type { NemesisCluster } from './cluster-port.js';
import { handlerNamed } from './faults/index.js';
import type { LinkBackend } from './faults/link.js';
import type { Undo } from './journal.js';
import type { Verification } from './verify.js';

export function undoRecorded(
  cluster: NemesisCluster,
  undo: Undo,
  link?: LinkBackend,
): Promise<Verification> {
  const undoPart = (u: Undo): Promise<Verification> => undoRecorded(cluster, u, link);
  return handlerNamed(undo.handler).undo(undo, { cluster, link, undoPart });
}
