/** Counts raft lines with plain regexes, independently of the parser under test. */
import { readFile } from 'node:fs/promises';

export async function grepCounts(paths: string[]) {
  const c = { vote: 0, preVote: 0, becameLeader: 0, electedLeader: 0 };
  for (const p of paths) {
    for (const line of (await readFile(p, 'utf8')).split('\n')) {
      if (/cast MsgVote for [0-9a-f]+ .* at term \d+/.test(line)) c.vote++;
      if (/cast MsgPreVote for/.test(line)) c.preVote++;
      if (/became leader at term \d+/.test(line)) c.becameLeader++;
      if (/elected leader [0-9a-f]+ at term \d+/.test(line)) c.electedLeader++;
    }
  }
  return c;
}
