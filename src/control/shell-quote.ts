/**
 * Quoting argv for a POSIX shell. An SSH server runs a command through the login user's shell,
 * so the SSH Remote turns each argument into one single-quoted word: whatever it holds (`;`,
 * `$()`, quotes, spaces, newlines) reaches the program as that literal argument.
 */

/** One argument as a single-quoted shell word (`'` becomes `'\''`). */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_\-+=/.,:@%^]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line that runs exactly `argv` (replacing the shell, so signals reach it). */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return `exec ${argv.map(shellQuote).join(' ')}`;
}
