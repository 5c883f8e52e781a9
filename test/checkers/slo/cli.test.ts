import { describe, expect, it } from 'vitest';
import { parseSoakConfig, SoakConfigError } from '../../../src/daemon/config.js';
import { runCli } from '../../support/cli.js';

describe('SLOs on the command line and in soak configs', () => {
  it('a malformed --slo is one line naming it, exit 64, before anything starts', () => {
    const r = runCli([
      'run',
      '--cluster',
      'clusters/etcd-3.json',
      '--slo',
      'success >= 0.9',
      '--slo',
      'p95 < 500',
    ]);
    expect(r.status).toBe(64);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--slo: SLO 'p95 < 500': a time bound needs a unit/);
  });

  it('a soak config takes an slo list; a bad entry names its field', () => {
    const base = { name: 's', cluster: 'c.json', seed: 1 };
    expect(parseSoakConfig({ ...base, slo: ['p99 < 2s during faults'] }, 'soak.json').slo).toEqual([
      'p99 < 2s during faults',
    ]);
    expect(parseSoakConfig(base, 'soak.json').slo).toEqual([]);
    let err: unknown;
    try {
      parseSoakConfig({ ...base, slo: ['p99 < 2s', 'p99 < fast'] }, 'soak.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SoakConfigError);
    expect((err as SoakConfigError).message).toMatch(
      /^soak\.json: field 'slo\[1\]': SLO 'p99 < fast'/,
    );
  });
});
