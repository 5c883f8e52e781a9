/** Several faults at once (params.faults): each part planned and undone by its own handler. */
import type { Fault } from '../fault.js';
import type { Undo } from '../journal.js';
import type { JsonValue } from '../../history/op.js';
import type { Verification } from '../verify.js';
import { undoOf, type AppliedFault, type FaultHandler, type Plan } from './handler.js';

export const compoundHandler: FaultHandler = {
  name: 'compound',
  kinds: ['compound'],
  async plan(ctx) {
    const faults = (ctx.params.faults ?? []) as unknown as Fault[];
    if (!Array.isArray(faults) || faults.length === 0)
      throw new Error('compound fault needs params.faults (a non-empty list)');
    const plans: Plan[] = [];
    for (const [i, f] of faults.entries()) plans.push(await ctx.planPart(`${ctx.id}.${i + 1}`, f));
    const undo: Undo = {
      handler: 'compound',
      backend: ctx.cluster.state.placement.backend,
      parts: plans.map((p, i) => ({ id: `${ctx.id}.${i + 1}`, undo: p.undo })),
    };
    const cuts = plans.flatMap((p) => p.cuts ?? []);
    return {
      targets: [...new Set(plans.flatMap((p) => p.targets))].sort(
        (a, b) => ctx.names.indexOf(a) - ctx.names.indexOf(b),
      ),
      undo,
      details: {},
      ...(cuts.length ? { cuts } : {}),
      run: async () => {
        const parts: AppliedFault[] = [];
        for (const [i, p] of plans.entries()) {
          const r = await p.run();
          parts.push({
            id: `${ctx.id}.${i + 1}`,
            fault: faults[i]!,
            targets: p.targets,
            details: { ...p.details, ...r.details },
            verification: r.verification,
            appliedAt: new Date().toISOString(),
          });
        }
        const oks = parts.map((p) => p.verification.ok);
        return {
          verification: {
            ok: oks.includes(false) ? false : oks.every((o) => o === true) ? true : 'unverifiable',
            observed: {
              parts: parts.map((p) => ({ id: p.id, kind: p.fault.kind, ok: p.verification.ok })),
            },
          },
          parts,
        };
      },
    };
  },
  /** Parts newest first, each through its own handler; keeps what each observed. */
  async undo(undo, ctx): Promise<Verification> {
    const observed: { [k: string]: JsonValue } = {};
    let ok: Verification['ok'] = true;
    for (const part of [...undoOf(undo, 'compound').parts].reverse()) {
      const v = await ctx.undoPart(part.undo);
      observed[part.id] = v.observed;
      if (v.ok === false) ok = false;
    }
    return { ok, observed };
  },
};
