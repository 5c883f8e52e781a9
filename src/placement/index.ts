/**
 * Placement backends by name (the definition's `backend`). ssh and docker register here when
 * their Remotes exist (src/control/ssh.ts, src/control/docker.ts).
 */
import type { Backend, PlacementBackend } from './placement.js';
import { netnsBackend } from './netns/index.js';

export type * from './placement.js';

const backends = new Map<Backend, PlacementBackend>([['netns', netnsBackend]]);

/** Lets a backend module add itself (ssh, docker). */
export function registerPlacementBackend(b: PlacementBackend): void {
  backends.set(b.backend, b);
}

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  get userMessage(): string {
    return this.message;
  }
}

export function placementBackend(kind: Backend): PlacementBackend {
  const b = backends.get(kind);
  if (!b) throw new BackendUnavailableError(`backend "${kind}" is not available in this build`);
  return b;
}

export function allPlacementBackends(): PlacementBackend[] {
  return [...backends.values()];
}
