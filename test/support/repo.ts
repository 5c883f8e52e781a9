/**
 * Where things are, for tests: the repository root, the built CLI, the CLI's source entry, and
 * the shared corpus of histories with known verdicts (the same rule as the benches:
 * FAULTLINE_CORPUS, or `../shared/corpus/porcupine` beside the repository). Never an absolute
 * path of a development machine.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.js';

export { corpusDir, corpusFile } from './corpus.js';

export const REPO = REPO_ROOT;
/** The built CLI (needs `npm run build`). */
export const CLI = join(REPO, 'dist', 'cli.js');
/** The CLI from source, run with `node --import tsx` (no build needed). */
export const CLI_SOURCE = join(REPO, 'src', 'cli.ts');
