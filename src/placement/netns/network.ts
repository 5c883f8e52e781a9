/**
 * The netns placement's network on this machine: one network namespace per node, each with a veth whose
 * other end sits on a per-run bridge; the host holds .1 on the bridge so it can reach every node.
 * Each namespace gets the empty fault chain (../fault-chain.ts).
 */
import { exec, execRaw } from '../../control/local.js';
import { faultChainSetup } from '../fault-chain.js';

/** Interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export function bridgeName(runId: string): string {
  return `fl${runId}br`;
}
export function vethHostName(runId: string, index: number): string {
  return `fl${runId}h${index}`;
}
export function netnsName(runId: string, node: string): string {
  return `fl${runId}-${node}`;
}

export async function createBridge(bridge: string, hostCidr: string): Promise<void> {
  await exec(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  await exec(['ip', 'addr', 'add', hostCidr, 'dev', bridge]);
  await exec(['ip', 'link', 'set', bridge, 'up']);
}

export interface NodeNetSpec {
  netns: string;
  vethHost: string;
  bridge: string;
  /** Address with prefix length, e.g. 10.77.3.11/24. */
  cidr: string;
}

/** Namespace, veth pair (eth0 inside), address, loopback and the empty fault chain. */
export async function createNodeNet(spec: NodeNetSpec): Promise<void> {
  const { netns, vethHost, bridge, cidr } = spec;
  await exec(['ip', 'netns', 'add', netns]);
  // Create the pair with the peer directly inside the namespace, named eth0 there.
  await exec([
    'ip',
    'link',
    'add',
    vethHost,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    netns,
  ]);
  await exec(['ip', 'link', 'set', vethHost, 'master', bridge, 'up']);
  await exec(['ip', '-n', netns, 'addr', 'add', cidr, 'dev', 'eth0']);
  await exec(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
  await exec(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  await exec(['ip', 'netns', 'exec', netns, 'iptables-restore', '-w', '5', '--noflush'], {
    input: faultChainSetup(),
  });
}

/** Pids of every process inside a namespace (empty if the namespace is gone). */
export async function netnsPids(netns: string): Promise<number[]> {
  const r = await execRaw(['ip', 'netns', 'pids', netns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

export async function listNetns(): Promise<string[]> {
  const r = await execRaw(['ip', 'netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

export async function listLinks(): Promise<string[]> {
  const r = await execRaw(['ip', '-o', 'link', 'show']);
  return [...r.stdout.matchAll(/^\d+: ([^:@]+)[@:]/gm)].map((m) => m[1]!);
}

/** Deletes a namespace (its veth end goes with it) and the host end, ignoring "not found". */
export async function deleteNodeNet(netns: string, vethHost: string): Promise<void> {
  await execRaw(['ip', 'netns', 'del', netns]);
  await execRaw(['ip', 'link', 'del', vethHost]);
}

export async function deleteBridge(bridge: string): Promise<void> {
  await execRaw(['ip', 'link', 'del', bridge]);
}
