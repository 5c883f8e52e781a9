/**
 * Where things are, for tests and benches: the repository root, the built CLI, and the shared
 * corpus of histories with known verdicts (`../shared/corpus` beside the repository, or
 * FAULTLINE_CORPUS). Never an absolute path of a development machine.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(REPO, 'dist', 'cli.js');

/** The Porcupine/Jepsen corpus folder; throws one clear line when it is not there. */
export function corpusDir(): string {
  const dir = process.env.FAULTLINE_CORPUS ?? resolve(REPO, '..', 'shared', 'corpus', 'porcupine');
  if (!existsSync(dir)) {
    throw new Error(
      `corpus not found at ${dir}: put shared/ beside the repository or set FAULTLINE_CORPUS`,
    );
  }
  return dir;
}

/** A file inside the corpus, e.g. `corpusFile('jepsen/etcd_000.log')`. */
export function corpusFile(rel: string): string {
  return join(corpusDir(), rel);
}
