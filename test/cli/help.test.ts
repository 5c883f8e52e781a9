/**
 * `--help` as a new user reads it: every subcommand shows real examples that use only options
 * it has; `run` has one name per option (no --duration/--faults aliases) and says every
 * default; a bad value is reported under the flag the user typed.
 */
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';

const SUBCOMMANDS = [
  'check',
  'analyze',
  'history stats',
  'history validate',
  'history convert',
  'minimize',
  'replay',
  'report',
  'cluster up',
  'cluster down',
  'cluster status',
  'schedule generate',
  'schedule check',
  'run',
  'daemon',
  'serve',
];

const cli = (args: string[]) => runCliAsync(args, { timeoutMs: 120_000 });

/** Each option of a help text with its whole (wrapped) description. */
function optionsOf(help: string): Map<string, string> {
  const out = new Map<string, string>();
  const section = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const m = /^ {2}(?:(-\w), )?(--?[\w-]+)/.exec(line);
    if (m) {
      out.set((current = m[2]!), line.trim());
      if (m[1]) out.set(m[1], line.trim());
    } else if (current) out.set(current, `${out.get(current)} ${line.trim()}`);
  }
  return out;
}

describe('faultline --help', () => {
  it('every subcommand shows examples that use only its own options', async () => {
    const helps = await Promise.all(SUBCOMMANDS.map((c) => cli([...c.split(' '), '--help'])));
    for (const [i, name] of SUBCOMMANDS.entries()) {
      const { status, stdout } = helps[i]!;
      expect(status, name).toBe(0);
      const examples = stdout.split('\nExamples:\n')[1];
      expect(examples, `${name} --help has Examples`).toBeDefined();
      const lines = examples!.split('\n').filter((l) => l.trim().startsWith('$ '));
      expect(lines.length, name).toBeGreaterThanOrEqual(2);
      const options = optionsOf(stdout);
      for (const line of lines) {
        expect(line.trim().startsWith(`$ faultline ${name}`), line).toBe(true);
        for (const flag of line.match(/(?<=\s)--?[a-z][\w-]*/g) ?? [])
          expect(
            options.has(flag) || options.has(`--no-${flag.slice(2)}`),
            `${name}: ${flag}`,
          ).toBe(true);
      }
    }
  }, 180_000);

  it('run has one name per option and shows the default of every option that takes a value', async () => {
    const { stdout } = await cli(['run', '--help']);
    const options = optionsOf(stdout);
    expect([...options.keys()]).not.toContain('--duration');
    expect([...options.keys()]).not.toContain('--faults');
    const withValue = [...options.entries()].filter(([, text]) => /^\S+ [<[]/.test(text));
    expect(withValue.length).toBeGreaterThan(15);
    for (const [flag, text] of withValue)
      expect(/\(default|\(required\)/.test(text), `${flag}: ${text}`).toBe(true);
  });

  it('a bad value is named by the flag that was typed; the old aliases are unknown options', async () => {
    const base = ['run', '--cluster', 'clusters/etcd-3.json'];
    const [timeLimit, nemesis, duration] = await Promise.all([
      cli([...base, '--time-limit', 'soon']),
      cli([...base, '--nemesis', 'partition,meteor']),
      cli([...base, '--duration', '5']),
    ]);
    expect(timeLimit.stderr.trim()).toMatch(/^faultline: --time-limit: expected a number/);
    expect(timeLimit.status).toBe(64);
    expect(nemesis.stderr.trim()).toMatch(/^faultline: --nemesis: unknown fault kind 'meteor'/);
    expect(nemesis.status).toBe(64);
    expect(duration.stderr).toMatch(/unknown option '--duration'/);
    expect(duration.status).toBe(64);
  });
});
