/**
 * Pure parts of the SSH Remote: known_hosts matching and verdicts (OpenSSH semantics) and argv
 * quoting for a POSIX shell (checked by a real `sh` on this machine, not by string comparison).
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  hostKeyAlgorithms,
  keyTypeOf,
  knownKeysFor,
  verifyHostKey,
} from '../../src/control/known-hosts.js';
import { shellCommand, shellQuote } from '../../src/control/shell-quote.js';

/** A wire-format key blob of `type` with random key bytes. */
function blob(type: string): Buffer {
  const t = Buffer.from(type);
  const k = randomBytes(32);
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(t.length), t, len(k.length), k]);
}

const dir = mkdtempSync(join(tmpdir(), 'fl-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts', () => {
  const a = blob('ssh-ed25519');
  const b = blob('ssh-ed25519');
  const rsa = blob('ssh-rsa');

  it('matches plain, port-qualified, hashed, wildcard and negated names', () => {
    const salt = randomBytes(20);
    const hashed = createHmac('sha1', salt).update('10.0.0.7').digest('base64');
    const text = [
      '# comment',
      `10.0.0.5,host5 ssh-ed25519 ${a.toString('base64')}`,
      `[10.0.0.6]:2222 ssh-ed25519 ${a.toString('base64')}`,
      `|1|${salt.toString('base64')}|${hashed} ssh-rsa ${rsa.toString('base64')}`,
      `10.0.1.*,!10.0.1.9 ssh-ed25519 ${b.toString('base64')}`,
      `@revoked 10.0.0.8 ssh-ed25519 ${b.toString('base64')}`,
    ].join('\n');
    expect(knownKeysFor(text, 'host5', 22)).toHaveLength(1);
    expect(knownKeysFor(text, '10.0.0.6', 22)).toHaveLength(0);
    expect(knownKeysFor(text, '10.0.0.6', 2222)).toHaveLength(1);
    expect(knownKeysFor(text, '10.0.0.7', 22)[0]?.type).toBe('ssh-rsa');
    expect(knownKeysFor(text, '10.0.1.3', 22)).toHaveLength(1);
    expect(knownKeysFor(text, '10.0.1.9', 22)).toHaveLength(0);
    expect(knownKeysFor(text, '10.0.0.8', 22)[0]?.revoked).toBe(true);
    expect(hostKeyAlgorithms(knownKeysFor(text, '10.0.0.7', 22))).toContain('rsa-sha2-512');
  });

  it('accepts the known key, refuses a changed one always and an unknown one unless accept-new', () => {
    const file = join(dir, 'kh1');
    writeFileSync(file, `10.0.0.5 ssh-ed25519 ${a.toString('base64')}\n`);
    expect(verifyHostKey({ knownHostsFile: file }, '10.0.0.5', 22, a)).toEqual({ ok: true });
    for (const acceptNew of [false, true]) {
      const v = verifyHostKey({ knownHostsFile: file, acceptNew }, '10.0.0.5', 22, b);
      expect(v).toMatchObject({ ok: false, reason: 'changed' });
    }
    const unknown = verifyHostKey({ knownHostsFile: file }, '10.0.0.6', 22, b);
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown' });
    expect(verifyHostKey({ knownHostsFile: file, acceptNew: true }, '10.0.0.6', 2200, b)).toEqual({
      ok: true,
      added: true,
    });
    expect(readFileSync(file, 'utf8')).toContain(
      `[10.0.0.6]:2200 ssh-ed25519 ${b.toString('base64')}`,
    );
    expect(verifyHostKey({ knownHostsFile: file }, '10.0.0.6', 2200, b)).toEqual({ ok: true });
    // A missing file: every key is unknown.
    expect(verifyHostKey({ knownHostsFile: join(dir, 'none') }, 'h', 22, a)).toMatchObject({
      reason: 'unknown',
    });
    expect(verifyHostKey({}, 'h', 22, a)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('checks a pinned fingerprint in OpenSSH form', () => {
    const fp = fingerprintOf(a);
    expect(fp).toBe(`SHA256:${createHash('sha256').update(a).digest('base64').replace(/=+$/, '')}`);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(a)).toBe('ssh-ed25519');
    expect(verifyHostKey({ fingerprint: fp }, 'h', 22, a)).toEqual({ ok: true });
    expect(verifyHostKey({ fingerprint: fp }, 'h', 22, b)).toMatchObject({
      ok: false,
      reason: 'fingerprint',
    });
  });
});

describe('shell quoting', () => {
  it('a POSIX sh receives every argument literally', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, '')),
          { maxLength: 6 },
        ),
        (args) => {
          const line = shellCommand(['printf', '<%s>', ...args]);
          const r = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
          expect(r.stdout).toBe(args.length === 0 ? '<>' : args.map((x) => `<${x}>`).join(''));
        },
      ),
      { numRuns: 200 },
    );
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
