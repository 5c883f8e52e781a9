/**
 * Opening the files a user names (histories, schedules, definitions, configs, logs): when one
 * cannot be read, one plain line saying which path and what is wrong ("no such file or
 * directory", "is a directory, not a file"), never Node's raw `EISDIR: illegal operation on a
 * directory, read`, which names no path at all. The CLI shows `userMessage` and exits 65.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** What is wrong with a path, in words, from a Node fs error (its message when unknown). */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && REASONS[code]) ?? (err as Error | undefined)?.message ?? String(err);
}

/** A named file that cannot be read: `path: reason`. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
  get userMessage(): string {
    return this.message;
  }
}

export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The whole file as UTF-8 text. */
export async function readInputText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw isFsError(err) ? new InputFileError(path, fsReason(err)) : err;
  }
}

/** An open handle on a regular file (a directory opens fine but fails at the first read). */
export async function openInputFile(path: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw isFsError(err) ? new InputFileError(path, fsReason(err)) : err;
  }
  if ((await fh.stat()).isDirectory()) {
    await fh.close();
    throw new InputFileError(path, REASONS.EISDIR!);
  }
  return fh;
}
