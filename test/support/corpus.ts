/**
 * Where the shared corpus of histories with known verdicts lives, for benches and tests: the
 * folder named by FAULTLINE_CORPUS, or `../shared/corpus/porcupine` beside the repository.
 * Never an absolute path of a development machine; one clear line when it is missing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/corpus.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The Porcupine/Jepsen corpus folder; throws one clear line when it is not there. */
export function corpusDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.FAULTLINE_CORPUS
    ? resolve(env.FAULTLINE_CORPUS)
    : resolve(REPO_ROOT, '..', 'shared', 'corpus', 'porcupine');
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
