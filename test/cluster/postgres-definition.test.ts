/** PostgreSQL as a cluster database: its definition validates and gets the postgres driver. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterDefinition, parseClusterDefinition } from '../../src/definition.js';
import { driverFor } from '../../src/system/index.js';
import { defaultPostgresStart, PostgresDriver } from '../../src/system/postgres.js';
import { REPO } from '../support/repo.js';

describe('postgres cluster definitions', () => {
  it('clusters/postgres.json is valid and starts members with the driver default script', async () => {
    const def = await loadClusterDefinition(join(REPO, 'clusters/postgres.json'));
    expect(def.database).toBe('postgres');
    expect(def.nodes.map((n) => n.name)).toEqual(['n1']);
    expect(def.clientEndpoint).toBe('postgres://postgres@{ip}:{clientPort}/postgres');
    // The shipped file spells out the driver's start command (so a user can see and edit it).
    expect(def.start).toEqual(defaultPostgresStart());
  });

  it('the postgres driver signals whole process trees; etcd does not need to', () => {
    const pg = driverFor('postgres');
    expect(pg).toBeInstanceOf(PostgresDriver);
    expect(pg.database).toBe('postgres');
    expect(pg.clock).not.toBe('none'); // the other ability: its clock can be shifted
    expect(typeof pg.signal).toBe('function');
    expect(driverFor('etcd').signal).toBeUndefined();
    expect(driverFor('etcd').clock).toBe('none');
  });

  it('an unknown database is named in the error', () => {
    expect(() =>
      parseClusterDefinition(
        { name: 'x', database: 'mysql', nodes: [{ name: 'n1' }], ports: { client: 1, peer: 2 } },
        'c.json',
      ),
    ).toThrow(/c\.json: database: /);
  });
});
