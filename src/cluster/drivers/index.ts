/** Database drivers by name (each has a variant in definition.ts). */
import type { ClusterDefinition } from '../definition.js';
import type { DatabaseDriver } from './driver.js';
import { EtcdDriver } from './etcd.js';
import { PostgresDriver } from './postgres.js';

export type { DatabaseDriver } from './driver.js';

export function driverFor(database: ClusterDefinition['database']): DatabaseDriver {
  switch (database) {
    case 'etcd':
      return new EtcdDriver();
    case 'postgres':
      return new PostgresDriver();
  }
}
