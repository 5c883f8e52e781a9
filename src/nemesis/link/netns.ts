/**
 * Commands inside network namespaces: iptables nat rules of the link layer and process lookup.
 * Rules live in our own nat chain (LINK_CHAIN) jumped to from OUTPUT, so removing them never
 * touches rules of anyone else (e.g. the partition rules of the cluster code).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export const LINK_CHAIN = 'FAULTLINE-LINK';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    execFile(cmd!, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code !== 0 ? err.message : '') });
    });
  });
}

export async function runOk(argv: string[]): Promise<string> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export function inNetns(netns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}

export async function netnsExists(netns: string): Promise<boolean> {
  const out = await run(['ip', 'netns', 'list']);
  return out.stdout.split('\n').some((l) => l.split(' ')[0] === netns);
}

/** iptables arguments of the rule sending `from`'s connections to dest:port into the proxy. */
export function dnatRule(dest: string, port: number, proxyListen: string, gid: number): string[] {
  return [
    '-p',
    'tcp',
    '-d',
    dest,
    '--dport',
    String(port),
    // The proxy's own upstream connection (same destination) must not loop back into it.
    '-m',
    'owner',
    '!',
    '--gid-owner',
    String(gid),
    '-j',
    'DNAT',
    '--to-destination',
    proxyListen,
  ];
}

const ipt = (netns: string, args: string[]): string[] =>
  inNetns(netns, ['iptables', '-w', '-t', 'nat', ...args]);

/** Creates (or empties) our chain and makes OUTPUT jump to it once. */
export async function ensureChain(netns: string): Promise<void> {
  const created = await run(ipt(netns, ['-N', LINK_CHAIN]));
  if (created.code !== 0) await runOk(ipt(netns, ['-F', LINK_CHAIN]));
  const jump = ['OUTPUT', '-j', LINK_CHAIN];
  if ((await run(ipt(netns, ['-C', ...jump]))).code !== 0) await runOk(ipt(netns, ['-I', ...jump]));
}

export async function appendRule(netns: string, rule: string[]): Promise<void> {
  await runOk(ipt(netns, ['-A', LINK_CHAIN, ...rule]));
}

/** Removes the jump and the chain; idempotent, and a no-op for a namespace that is gone. */
export async function removeChain(netns: string): Promise<void> {
  if (!(await netnsExists(netns))) return;
  for (let i = 0; i < 10; i++) {
    if ((await run(ipt(netns, ['-D', 'OUTPUT', '-j', LINK_CHAIN]))).code !== 0) break;
  }
  await run(ipt(netns, ['-F', LINK_CHAIN]));
  await run(ipt(netns, ['-X', LINK_CHAIN]));
}

/** Rules of our chain in a namespace (`-S` lines), [] when the chain or namespace is absent. */
export async function chainRules(netns: string): Promise<string[]> {
  if (!(await netnsExists(netns))) return [];
  const r = await run(ipt(netns, ['-S']));
  return r.stdout.split('\n').filter((l) => l.includes(LINK_CHAIN));
}

/** Pids of processes in a namespace (`ip netns pids`). */
export async function netnsPids(netns: string): Promise<number[]> {
  if (!(await netnsExists(netns))) return [];
  const r = await run(['ip', 'netns', 'pids', netns]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** A live (not zombie) process running with effective group `gid`. */
export async function isLiveWithGid(pid: number, gid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    if (/^State:\s+Z/m.test(status)) return false;
    const m = /^Gid:\s+(\d+)\s+(\d+)/m.exec(status);
    return m !== null && Number(m[2]) === gid;
  } catch {
    return false;
  }
}
