/** The cause of a failed start, read from the member's log (pure; logs as etcd and PostgreSQL write them). */
import { describe, expect, it } from 'vitest';
import { firstErrorLine } from '../../src/cluster/log-cause.js';

const marker = (node: string) =>
  JSON.stringify({ level: 'info', ts: 't', caller: 'faultline', msg: 'starting member', node });

describe('firstErrorLine', () => {
  it("finds etcd's flag error above the usage text, not the usage tail", () => {
    const log = [
      marker('n1'),
      'flag provided but not defined: -no-such-flag',
      'Usage:',
      '',
      '  etcd [flags]',
      '    Start an etcd server.',
      '  etcd gateway',
      '    Run the stateless pass-through etcd TCP connection forwarding proxy.',
    ].join('\n');
    expect(firstErrorLine(log)).toBe('flag provided but not defined: -no-such-flag');
  });

  it('reads a zap fatal line as its message and error', () => {
    const log = [
      marker('n1'),
      JSON.stringify({ level: 'info', msg: 'starting an etcd server' }),
      JSON.stringify({
        level: 'fatal',
        msg: 'listener failed',
        error: 'listen tcp: address already in use',
      }),
    ].join('\n');
    expect(firstErrorLine(log)).toBe('listener failed: listen tcp: address already in use');
  });

  it('looks only at the latest start', () => {
    const log = [
      marker('n1'),
      'error: old failure',
      marker('n1'),
      'exec of "/nope" failed: No such file or directory',
    ].join('\n');
    expect(firstErrorLine(log)).toBe('exec of "/nope" failed: No such file or directory');
  });

  it('falls back to the first line printed, and to nothing for a silent exit', () => {
    expect(firstErrorLine([marker('n1'), 'something odd happened'].join('\n'))).toBe(
      'something odd happened',
    );
    expect(firstErrorLine(marker('n1') + '\n')).toBeUndefined();
  });
});
