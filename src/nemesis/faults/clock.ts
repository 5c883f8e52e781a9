/**
 * Clock faults through the system's clock ability: `faketime` systems read a per-node
 * libfaketime file, written through the node's Remote (heal writes +0); systems that cannot have
 * their clock moved (`none`: Go binaries such as etcd) get the fault recorded as NOT applied,
 * never as done.
 */
import { faketimeFile, observedClockOffset, setClockOffset } from '../../system/faketime.js';
import { undoOf, type FaultHandler, type Plan } from './handler.js';

export const clockHandler: FaultHandler = {
  name: 'clock',
  kinds: ['clock'],
  async plan(ctx): Promise<Plan> {
    const c = ctx.cluster;
    const backend = c.state.placement.backend;
    const p = ctx.params;
    const offset =
      p.offsetSeconds !== undefined
        ? Number(p.offsetSeconds)
        : p.offsetMs !== undefined
          ? Number(p.offsetMs) / 1000
          : 60;
    if (c.driver.clock !== 'faketime') {
      const reason = `${c.definition.database} is a Go binary and ignores libfaketime: clock fault not applied, not verifiable`;
      ctx.logger.warn({ id: ctx.id, targets: ctx.targets }, reason);
      return {
        targets: ctx.targets,
        undo: { handler: 'clock', backend, clock: [] },
        details: { offsetSeconds: offset, applied: false },
        run: async () => ({
          verification: { ok: 'unverifiable', observed: { applied: false, reason } },
        }),
      };
    }
    const files = ctx.targets.map((t) => ({ node: t, file: faketimeFile(c.workDir(t), t) }));
    return {
      targets: ctx.targets,
      undo: { handler: 'clock', backend, clock: files },
      details: { offsetSeconds: offset },
      run: async () => {
        for (const f of files) await setClockOffset(c.remote(f.node), f.file, offset);
        // What a libfaketime process reading the same file sees now (`date` on the node).
        const seen = await Promise.all(
          files.map((f) => observedClockOffset(c.remote(f.node), f.file)),
        );
        return {
          verification: {
            ok: seen.every((s) => Math.abs(s - offset) < 2),
            observed: {
              applied: true,
              offsetSeconds: offset,
              seenOffsetSeconds: Object.fromEntries(
                files.map((f, i) => [f.node, Number(seen[i]!.toFixed(3))]),
              ),
            },
            notes: ['offset seen by `date` under the same libfaketime file the member reads'],
          },
        };
      },
    };
  },
  async undo(undo, ctx) {
    const files = undoOf(undo, 'clock').clock;
    for (const f of files) await setClockOffset(ctx.cluster.remote(f.node), f.file, 0);
    return { ok: true, observed: {} };
  },
};
