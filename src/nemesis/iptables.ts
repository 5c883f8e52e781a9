/**
 * iptables faults on nodes. Every rule goes into the node's FAULTLINE chain (created by the
 * placement, see src/placement/fault-chain.ts) and carries a `faultline:<fault id>` comment:
 * healing one fault deletes exactly its rules, and crash recovery flushes the chain. Rules are
 * computed by pure functions and applied with one iptables-restore per node through the node's
 * Remote (netns: in the namespace; docker: in the container; ssh: on the host, with sudo).
 */
import type { Remote } from '../control/remote.js';
import { FAULT_CHAIN } from '../placement/fault-chain.js';
import { grudgeCuts, type Grudge } from './partition.js';

export interface NodeAddr {
  name: string;
  ip: string;
}

/** Rules (iptables args after `-A FAULTLINE`) to add on one node. */
export interface RuleSet {
  node: string;
  rules: string[][];
}

/** How the nemesis reaches a node: its Remote (which runs with the rights it was configured for). */
export type NodeShell = (node: string) => Remote;

export function ruleComment(faultId: string): string[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(faultId))
    throw new Error(`fault id "${faultId}" must be [A-Za-z0-9_.-]`);
  return ['-m', 'comment', '--comment', `faultline:${faultId}`];
}

function byName(nodes: readonly NodeAddr[], name: string): NodeAddr {
  const n = nodes.find((x) => x.name === name);
  if (!n) throw new Error(`unknown node ${name}`);
  return n;
}

/** Drop packets from `from` to `to`, at both ends: INPUT at `to`, OUTPUT at `from`. */
export function partitionRules(
  grudge: Grudge,
  nodes: readonly NodeAddr[],
  faultId: string,
): RuleSet[] {
  const sets = new Map<string, string[][]>();
  const add = (node: string, rule: string[]) => {
    if (!sets.has(node)) sets.set(node, []);
    sets.get(node)!.push(rule);
  };
  for (const { from, to } of grudgeCuts(grudge)) {
    const src = byName(nodes, from);
    const dst = byName(nodes, to);
    add(dst.name, ['-s', `${src.ip}/32`, ...ruleComment(faultId), '-j', 'DROP']);
    add(src.name, ['-d', `${dst.ip}/32`, ...ruleComment(faultId), '-j', 'DROP']);
  }
  return [...sets].map(([node, rules]) => ({ node, rules }));
}

/**
 * Cut the targets off from the clients: drop everything to and from the address the nodes see
 * clients come from (the placement's clientIp) on each target. Peers stay connected.
 */
export function clientPartitionRules(
  targets: readonly NodeAddr[],
  hostIp: string,
  faultId: string,
): RuleSet[] {
  return targets.map((t) => ({
    node: t.name,
    rules: [
      ['-s', `${hostIp}/32`, ...ruleComment(faultId), '-j', 'DROP'],
      ['-d', `${hostIp}/32`, ...ruleComment(faultId), '-j', 'DROP'],
    ],
  }));
}

/** Random loss of incoming packets on each target's eth0 (not loopback). */
export function lossRules(
  targets: readonly NodeAddr[],
  probability: number,
  faultId: string,
): RuleSet[] {
  if (!(probability > 0 && probability <= 1))
    throw new Error(`loss probability must be in (0, 1], got ${probability}`);
  return targets.map((t) => ({
    node: t.name,
    rules: [
      [
        '-i',
        'eth0',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(probability),
        ...ruleComment(faultId),
        '-j',
        'DROP',
      ],
    ],
  }));
}

function restoreInput(op: '-A' | '-D', rules: string[][]): string {
  return ['*filter', ...rules.map((r) => [op, FAULT_CHAIN, ...r].join(' ')), 'COMMIT', ''].join(
    '\n',
  );
}

export async function applyRules(shell: NodeShell, sets: readonly RuleSet[]): Promise<void> {
  await Promise.all(
    sets.map((s) => {
      return shell(s.node).exec(['iptables-restore', '-w', '5', '--noflush'], {
        stdin: restoreInput('-A', s.rules),
      });
    }),
  );
}

/** Deletes exactly these rules (the heal of one fault); other faults' rules stay. */
export async function removeRules(shell: NodeShell, sets: readonly RuleSet[]): Promise<void> {
  await Promise.all(
    sets.map(async (s) => {
      const remote = shell(s.node);
      // Delete one by one and ignore rules already gone, so healing is idempotent.
      for (const r of s.rules) {
        await remote.run(['iptables', '-w', '5', '-D', FAULT_CHAIN, ...r]).catch(() => undefined);
      }
    }),
  );
}

/** The FAULTLINE chain's rules on a node, as `iptables -S` lines (without the -N line). */
export async function listFaultRules(remote: Remote): Promise<string[]> {
  const out = await remote.exec(['iptables', '-w', '5', '-S', FAULT_CHAIN]);
  return out.split('\n').filter((l) => l.startsWith('-A '));
}

/** Packets dropped so far by a fault's rules on a node (from the rule counters). */
export async function droppedPackets(remote: Remote, faultId: string): Promise<number> {
  const out = await remote.exec(['iptables', '-w', '5', '-L', FAULT_CHAIN, '-v', '-x', '-n']);
  return out
    .split('\n')
    .filter((l) => l.includes(`/* faultline:${faultId} */`))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0] ?? 0), 0);
}
