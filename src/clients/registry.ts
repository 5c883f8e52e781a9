/**
 * Workloads by name, for the CLI and run configuration (`--workload etcd-register`).
 */
import type { Workload } from './client.js';
import { EtcdRegisterWorkload, type EtcdWorkloadOptions } from './etcd.js';

export const WORKLOAD_NAMES = ['etcd-register', 'etcd-register-serializable'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export class UnknownWorkloadError extends Error {
  override readonly name = 'UnknownWorkloadError';
  get userMessage(): string {
    return this.message;
  }
}

export function createWorkload(
  name: string,
  opts: Omit<EtcdWorkloadOptions, 'readConsistency'> = {},
): Workload {
  switch (name) {
    case 'etcd-register':
      return new EtcdRegisterWorkload({ ...opts, readConsistency: 'linearizable' });
    case 'etcd-register-serializable':
      return new EtcdRegisterWorkload({ ...opts, readConsistency: 'serializable' });
    default:
      throw new UnknownWorkloadError(
        `unknown workload '${name}' (known: ${WORKLOAD_NAMES.join(', ')})`,
      );
  }
}
