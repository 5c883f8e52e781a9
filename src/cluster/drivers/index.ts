/** Database drivers by name: add PostgreSQL here (and a variant in definition.ts). */
import type { ClusterDefinition } from '../definition.js';
import type { DatabaseDriver } from './driver.js';
import { EtcdDriver } from './etcd.js';

export type { DatabaseDriver } from './driver.js';

export function driverFor(database: ClusterDefinition['database']): DatabaseDriver {
  switch (database) {
    case 'etcd':
      return new EtcdDriver();
  }
}
