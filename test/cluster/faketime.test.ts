/**
 * The libfaketime mechanism clock faults use for servers that honour it (not etcd: Go ignores
 * it): a process preloaded with a timestamp file sees the offset written there, live.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NetnsRemote } from '../../src/control/netns.js';
import { observedClockOffset, setClockOffset } from '../../src/system/faketime.js';

describe('libfaketime clock offsets', () => {
  it('a preloaded process sees the offset, and +0 after healing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-faketime-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'n1.rc');
    const here = new NetnsRemote('host', null);
    await setClockOffset(here, file, 3600);
    expect(Math.abs((await observedClockOffset(here, file)) - 3600)).toBeLessThan(2);
    await setClockOffset(here, file, -90.5);
    expect(Math.abs((await observedClockOffset(here, file)) + 90.5)).toBeLessThan(2);
    await setClockOffset(here, file, 0);
    expect(Math.abs(await observedClockOffset(here, file))).toBeLessThan(2);
  });
});
