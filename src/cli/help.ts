/**
 * Examples under a subcommand's `--help` (`cmd.addHelpText('after', examples([...]))`): a few
 * real command lines, on files a checkout has or a run writes, each saying what it does.
 */

/** [what it does, the command line after `faultline `]. */
export type Example = readonly [what: string, command: string];

export function examples(list: readonly Example[]): string {
  const lines = list.map(([what, line]) => `  # ${what}\n  $ faultline ${line}`);
  return `\nExamples:\n${lines.join('\n')}\n`;
}
