/**
 * Shutdown hooks: SIGINT/SIGTERM heal faults and tear clusters down before the process exits.
 * Hooks run newest first (a nemesis registered after its cluster heals before the cluster goes).
 * A second signal exits at once. Reusable by the runner and the daemon.
 */
import type { Logger } from '../log.js';

type Hook = { name: string; fn: () => Promise<unknown> };

const hooks: Hook[] = [];
let installed = false;
let running: Promise<void> | undefined;

/** Registers a cleanup; returns a function that unregisters it (call it after a normal cleanup). */
export function onShutdown(name: string, fn: () => Promise<unknown>): () => void {
  const hook = { name, fn };
  hooks.push(hook);
  return () => {
    const i = hooks.indexOf(hook);
    if (i >= 0) hooks.splice(i, 1);
  };
}

/** Runs every registered hook (newest first), each bounded by `timeoutMs`; errors are logged. */
export function runShutdownHooks(logger?: Logger, timeoutMs = 30_000): Promise<void> {
  running ??= (async () => {
    while (hooks.length > 0) {
      const hook = hooks.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          hook.fn(),
          new Promise((_r, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
      } catch (err) {
        logger?.error({ hook: hook.name, err: (err as Error).message }, 'cleanup failed');
      } finally {
        clearTimeout(timer);
      }
    }
  })().finally(() => (running = undefined));
  return running;
}

/** Installs SIGINT/SIGTERM handlers once: run the hooks, then exit 130/143. */
export function installSignalHandlers(logger?: Logger): void {
  if (installed) return;
  installed = true;
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    const code = sig === 'SIGINT' ? 130 : 143;
    if (count > 1) process.exit(code);
    logger?.warn(
      { signal: sig },
      'healing faults and tearing down before exit (signal again to force)',
    );
    void runShutdownHooks(logger).finally(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
