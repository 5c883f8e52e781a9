import { describe, expect, it } from 'vitest';
import { describeSchedule, scheduleParamsFromOptions } from '../../src/cli/schedule.js';
import { UsageError } from '../../src/errors.js';
import { generateSchedule, parseScheduleText, formatSchedule } from '../../src/generators/index.js';

describe('schedule CLI options', () => {
  it('maps knobs (seconds on the command line, ms in params) and keeps defaults', () => {
    const p = scheduleParamsFromOptions({
      timeLimit: '4.5',
      concurrency: '3',
      mix: '2:1:0',
      nemesis: 'pause,kill',
      faultDuration: '0.5-2',
    });
    expect(p).toMatchObject({
      durationMs: 4500,
      concurrency: 3,
      rate: 10,
      opMix: { read: 2, write: 1, cas: 0 },
      faultKinds: ['pause', 'kill'],
      faults: { count: 1, minDurationMs: 500, maxDurationMs: 2000 },
    });
    expect(scheduleParamsFromOptions({ nemesis: 'none' }).faultKinds).toEqual([]);
    // Without --fault-count, about one fault per 10 s (as `run` schedules them).
    expect(scheduleParamsFromOptions({ timeLimit: '60' }).faults.count).toBe(6);
    expect(scheduleParamsFromOptions({ timeLimit: '60', faultCount: '2' }).faults.count).toBe(2);
  });

  it('rejects bad knobs with a usage error naming the option', () => {
    expect(() => scheduleParamsFromOptions({ rate: 'fast' })).toThrow(UsageError);
    expect(() => scheduleParamsFromOptions({ rate: 'fast' })).toThrow(/--rate/);
    expect(() => scheduleParamsFromOptions({ nemesis: 'partition,meteor' })).toThrow(
      /^--nemesis: unknown fault kind 'meteor'/,
    );
    expect(() => scheduleParamsFromOptions({ timeLimit: 'soon' })).toThrow(/^--time-limit: /);
    expect(() => scheduleParamsFromOptions({ faultDuration: '3-1' })).toThrow(/minDurationMs/);
    expect(() => scheduleParamsFromOptions({ mix: '0:0:0' })).toThrow(/opMix/);
  });

  it('formats one op per line and parses back identically', () => {
    const { schedule } = generateSchedule(
      {
        durationMs: 1000,
        concurrency: 2,
        faultKinds: ['pause'],
        faults: { count: 1, minDurationMs: 100, maxDurationMs: 200 },
        settleMs: 100,
      },
      3,
    );
    const text = formatSchedule(schedule);
    expect(text.split('\n').length).toBeGreaterThan(schedule.processes.flat().length);
    expect(parseScheduleText(text)).toEqual(schedule);
    expect(describeSchedule(schedule)).toMatch(
      /^seed 3, 1\.0 s, 2 processes, \d+ client ops over \d keys, 1 faults: pause@/,
    );
  });
});
