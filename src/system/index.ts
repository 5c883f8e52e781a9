/** System drivers by name (each has a variant in src/cluster/definition.ts). */
import type { DatabaseName } from '../definition.js';
import { EtcdDriver } from './etcd.js';
import { PostgresDriver } from './postgres.js';
import type { SystemDriver } from './system.js';

export type * from './system.js';

export function driverFor(database: DatabaseName): SystemDriver {
  switch (database) {
    case 'etcd':
      return new EtcdDriver();
    case 'postgres':
      return new PostgresDriver();
  }
}
