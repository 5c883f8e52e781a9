import { describe, expect, it } from 'vitest';
import {
  checkConvergence,
  type ReplicaObservation,
} from '../../../src/checkers/convergence/index.js';

const etcd = (replica: string, o: Partial<ReplicaObservation> = {}): ReplicaObservation => ({
  replica,
  revision: 57,
  appliedIndex: 120,
  hash: 3_456_789,
  hashRevision: 57,
  compactRevision: -1,
  ...o,
});

describe('convergence checker', () => {
  it('agrees when every member has the same hash, revision and applied index', () => {
    const r = checkConvergence([etcd('e1'), etcd('e2'), etcd('e3')]);
    expect(r.valid).toBe(true);
    expect(r.agreed).toMatchObject({ revision: 57, hash: 3_456_789, appliedIndex: 120 });
    expect(r.differences).toEqual([]);
  });

  it('reports who differs when one member has another hash at the same revision', () => {
    const r = checkConvergence([etcd('e1'), etcd('e2', { hash: 1 }), etcd('e3')]);
    expect(r.valid).toBe(false);
    expect(r.differences).toMatchObject([
      {
        field: 'hash',
        at: 57,
        groups: [
          { value: 3_456_789, replicas: ['e1', 'e3'] },
          { value: 1, replicas: ['e2'] },
        ],
      },
    ]);
    expect(r.reason).toBe('KV hash at revision 57 differs: e1,e3 = 3456789; e2 = 1');
  });

  it('does not compare hashes taken at different revisions, but reports the lag', () => {
    const r = checkConvergence([
      etcd('e1'),
      etcd('e2', { revision: 50, hashRevision: 50, hash: 9 }),
    ]);
    expect(r.differences.map((d) => d.field)).toEqual(['revision']);
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^not converged: revision differs: /);
    expect(
      checkConvergence([etcd('e1'), etcd('e2', { revision: 50 })], { allowLag: true }).valid,
    ).toBe('unknown');
  });

  it('is unknown when a member cannot be observed, false if the others already disagree', () => {
    const down = { replica: 'e3', error: 'deadline exceeded' };
    const r = checkConvergence([etcd('e1'), etcd('e2'), down]);
    expect(r.valid).toBe('unknown');
    expect(r.unobserved).toEqual([down]);
    expect(checkConvergence([etcd('e1'), etcd('e2', { hash: 2 }), down]).valid).toBe(false);
  });

  it('compares final reads key by key (missing = absent), regardless of object key order', () => {
    const r = checkConvergence([
      { replica: 'pg1', reads: { a: { x: 1, y: 2 }, b: 'v' } },
      { replica: 'pg2', reads: { a: { y: 2, x: 1 }, b: 'v' } },
      { replica: 'pg3', reads: { a: { x: 1, y: 2 } } },
    ]);
    expect(r.valid).toBe(false);
    expect(r.differences).toMatchObject([
      {
        field: 'read',
        at: 'b',
        groups: [
          { value: 'v', replicas: ['pg1', 'pg2'] },
          { value: null, replicas: ['pg3'] },
        ],
      },
    ]);
    const same = checkConvergence([
      { replica: 'pg1', reads: { a: 1 } },
      { replica: 'pg2', reads: { a: 1 } },
    ]);
    expect(same).toMatchObject({ valid: true, agreed: { keys: 1 } });
  });

  it('is unknown with fewer than two observed replicas or nothing to compare', () => {
    expect(checkConvergence([etcd('e1')]).valid).toBe('unknown');
    expect(checkConvergence([{ replica: 'a' }, { replica: 'b' }]).valid).toBe('unknown');
  });
});
