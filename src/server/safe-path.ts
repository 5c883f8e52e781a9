/**
 * Maps a URL path to a file under the results root, or refuses. Defence in depth: the raw text is
 * checked before decoding (encoded separators, NUL, backslashes), decoded exactly once and checked
 * again (so `%252e%252e` stays refused), every segment is checked (`..`, `.`, hidden names), the
 * joined path must stay under the root, and finally its realpath must too — a symlink inside the
 * results (like `latest`) may point anywhere inside them, never outside.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

export type SafePath =
  | { ok: true; path: string; real: string; isDirectory: boolean; size: number; mtimeMs: number }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/** Encoded forms that never belong in a results path: `/`, `\`, NUL, `%` itself (double encoding). */
const BAD_ENCODED = /%(2f|5c|00|25)/i;
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\\\0\u0001-\u001f\u007f%]/;

function refuse(status: 400 | 403 | 404, reason: string): SafePath {
  return { ok: false, status, reason };
}

/** Splits a raw (still encoded) relative URL path into safe decoded segments, or says why not. */
export function safeSegments(rawPath: string): string[] | { status: 400 | 403; reason: string } {
  if (BAD_ENCODED.test(rawPath)) return { status: 403, reason: 'encoded separator or escape' };
  if (rawPath.includes('\\')) return { status: 403, reason: 'backslash' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding' };
  }
  if (BAD_CHARS.test(decoded)) return { status: 403, reason: 'forbidden character' };
  if (isAbsolute(decoded) || /^[A-Za-z]:/.test(decoded))
    return { status: 403, reason: 'absolute path' };
  const segments = decoded.split('/').filter((s, i, all) => !(s === '' && i === all.length - 1));
  for (const s of segments) {
    if (s === '') return { status: 403, reason: 'empty segment' };
    if (s === '.' || s === '..') return { status: 403, reason: 'dot segment' };
    if (s.startsWith('.')) return { status: 403, reason: 'hidden name' };
  }
  return segments;
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves `rawPath` (relative, URL-encoded, e.g. `etcd-3/20261121T150000/logs/n1.log`) under
 * `root`. `realRoot` is `realpath(root)`, computed once by the caller.
 */
export async function resolveSafe(
  root: string,
  realRoot: string,
  rawPath: string,
): Promise<SafePath> {
  const segs = safeSegments(rawPath);
  if (!Array.isArray(segs)) return refuse(segs.status, segs.reason);
  const abs = resolve(join(root, ...segs));
  if (!within(resolve(root), abs)) return refuse(403, 'outside the results directory');
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    return refuse(404, 'not found');
  }
  if (!within(realRoot, real)) return refuse(403, 'symlink points outside the results directory');
  const st = await stat(real).catch(() => null);
  if (!st || !(st.isFile() || st.isDirectory())) return refuse(404, 'not a file');
  return {
    ok: true,
    path: abs,
    real,
    isDirectory: st.isDirectory(),
    size: st.size,
    mtimeMs: st.mtimeMs,
  };
}
