/**
 * Host-key verification for the SSH Remote, with OpenSSH's semantics: a host's key is checked
 * against a known_hosts file (plain or hashed `|1|salt|hash` names, `[host]:port` for other ports,
 * `@revoked` lines) and/or a SHA256 fingerprint pinned in the definition. A key never seen before
 * is refused unless the caller opted into accept-new (then it is appended, like
 * `StrictHostKeyChecking=accept-new`); a key different from a known one is always refused.
 * Pure except for reading and appending the file.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';

export interface KnownKey {
  /** Key type, e.g. "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256". */
  type: string;
  /** The key blob (SSH wire format), base64. */
  blob: string;
  revoked: boolean;
}

export type HostKeyVerdict =
  | { ok: true; added?: boolean }
  | { ok: false; reason: 'unknown' | 'changed' | 'revoked' | 'fingerprint'; message: string };

export interface HostKeyPolicy {
  /** OpenSSH known_hosts file. */
  knownHostsFile?: string;
  /** `SHA256:...` as printed by `ssh-keygen -lf`. */
  fingerprint?: string;
  /** Accept and record a key for a host the file does not know (never a changed key). */
  acceptNew?: boolean;
}

/** OpenSSH's SHA256 fingerprint of a key blob. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a wire-format key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** How a host appears in known_hosts: `host`, or `[host]:port` when the port is not 22. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pat of field.split(',')) {
    const negated = pat.startsWith('!');
    const p = negated ? pat.slice(1) : pat;
    const re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The keys `text` (a known_hosts file) lists for `host`:`port`. */
export function knownKeysFor(text: string, host: string, port: number): KnownKey[] {
  const name = hostPattern(host, port);
  const out: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker = '';
    if (fields[0]?.startsWith('@')) marker = fields.shift()!;
    const [names, type, blob] = fields;
    if (!names || !type || !blob || marker === '@cert-authority') continue;
    if (nameMatches(names, name)) out.push({ type, blob, revoked: marker === '@revoked' });
  }
  return out;
}

/** Decides about the key `blob` a server at `host`:`port` presented. */
export function verifyHostKey(
  policy: HostKeyPolicy,
  host: string,
  port: number,
  blob: Buffer,
): HostKeyVerdict {
  const where = `${host}:${port}`;
  const fp = fingerprintOf(blob);
  const type = keyTypeOf(blob);
  if (policy.fingerprint) {
    if (policy.fingerprint.replace(/=+$/, '') !== fp) {
      return {
        ok: false,
        reason: 'fingerprint',
        message: `host key of ${where} is ${fp}, not the pinned ${policy.fingerprint}: refused (if the host was really reinstalled, update hostKey in the definition)`,
      };
    }
    if (!policy.knownHostsFile) return { ok: true };
  }
  if (!policy.knownHostsFile) {
    return {
      ok: false,
      reason: 'unknown',
      message: `no known_hosts file or pinned fingerprint for ${where}: refused (set ssh.knownHosts or the node's hostKey)`,
    };
  }
  let text = '';
  try {
    text = readFileSync(policy.knownHostsFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const known = knownKeysFor(text, host, port);
  const b64 = blob.toString('base64');
  if (known.some((k) => k.revoked && k.blob === b64)) {
    return {
      ok: false,
      reason: 'revoked',
      message: `host key of ${where} (${fp}) is revoked in ${policy.knownHostsFile}: refused`,
    };
  }
  if (known.some((k) => !k.revoked && k.blob === b64)) return { ok: true };
  if (policy.fingerprint) return { ok: true };
  if (known.some((k) => !k.revoked)) {
    return {
      ok: false,
      reason: 'changed',
      message: `HOST KEY CHANGED for ${where}: it presented ${type} ${fp}, which ${policy.knownHostsFile} does not list for it: refused (if the host was really reinstalled, remove its line: ssh-keygen -R ${hostPattern(host, port)} -f ${policy.knownHostsFile})`,
    };
  }
  if (!policy.acceptNew) {
    return {
      ok: false,
      reason: 'unknown',
      message: `unknown host key for ${where} (${type} ${fp}, not in ${policy.knownHostsFile}): refused (add it with ssh-keyscan, pin it as hostKey, or set acceptNewHostKeys)`,
    };
  }
  appendFileSync(policy.knownHostsFile, `${hostPattern(host, port)} ${type} ${b64}\n`, {
    mode: 0o600,
  });
  return { ok: true, added: true };
}

/** Host-key algorithms to offer so the server presents a key type we know for it (as OpenSSH does). */
export function hostKeyAlgorithms(known: readonly KnownKey[]): string[] {
  const algs = new Set<string>();
  for (const k of known) {
    if (k.revoked) continue;
    if (k.type === 'ssh-rsa')
      ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => algs.add(a));
    else algs.add(k.type);
  }
  return [...algs];
}
