/**
 * What the machine lets a test do. Tests that need root (namespaces, iptables) or a binary
 * declare it here; under CI=true a missing requirement fails the suite instead of skipping it, so
 * a green CI never hides a suite that did not run.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export const asRoot = process.getuid?.() === 0;
export const inCi = process.env.CI === 'true' || process.env.CI === '1';

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

type Suite = (name: string, body: () => void) => void;

/**
 * `describe` that runs when `ok`. Otherwise the suite is skipped on a developer's machine, and
 * under CI it becomes one failing test that says what was missing (`why`).
 */
export function describeIf(ok: boolean, why: string): Suite {
  if (ok) return (name, body) => describe(name, body);
  if (inCi) {
    return (name) =>
      describe(name, () => {
        it(`requires ${why}`, () => {
          throw new Error(`${name}: cannot run here: needs ${why} (CI must provide it)`);
        });
      });
  }
  return (name, body) => describe.skip(name, body);
}

/** `describeIf(asRoot, 'root')`: namespaces, iptables and cluster work. */
export const describeAsRoot: Suite = describeIf(asRoot, 'root');
