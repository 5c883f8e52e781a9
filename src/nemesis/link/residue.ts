/**
 * Crash recovery for the link layer. From a journaled LinkState alone (no live LinkFaults
 * object), find and remove what is left: proxy processes (recognised by the dedicated group id
 * they run as) and our nat chain in each namespace.
 */
import { chainRules, isLiveWithGid, netnsPids, removeChain } from './netns.js';
import type { LinkState } from './types.js';

export interface LinkResidue {
  /** Live proxy processes (running with the link gid) in the state's namespaces or pids. */
  processes: Array<{ pid: number; netns: string | null }>;
  /** Namespaces that still hold rules of our nat chain, with the `iptables -S` lines. */
  natRules: Array<{ netns: string; rules: string[] }>;
}

function namespaces(state: LinkState): string[] {
  return [...new Set([...state.natNamespaces, ...state.servers.map((s) => s.netns)])];
}

export async function linkResidue(state: LinkState): Promise<LinkResidue> {
  const processes = new Map<number, string | null>();
  const natRules: LinkResidue['natRules'] = [];
  for (const netns of namespaces(state)) {
    for (const pid of await netnsPids(netns)) {
      if (await isLiveWithGid(pid, state.gid)) processes.set(pid, netns);
    }
    const rules = await chainRules(netns);
    if (rules.length > 0) natRules.push({ netns, rules });
  }
  // A recorded pid whose namespace was deleted under it is found by pid alone.
  for (const s of state.servers) {
    if (s.pid !== null && !processes.has(s.pid) && (await isLiveWithGid(s.pid, state.gid))) {
      processes.set(s.pid, null);
    }
  }
  return { processes: [...processes].map(([pid, netns]) => ({ pid, netns })), natRules };
}

export function isClean(r: LinkResidue): boolean {
  return r.processes.length === 0 && r.natRules.length === 0;
}

/**
 * Removes everything the state describes: nat chains first (new connections go direct again),
 * then SIGKILL to the proxy processes, waiting until they are gone. Idempotent.
 */
export async function cleanupLinkState(
  state: LinkState,
  opts: { timeoutMs?: number } = {},
): Promise<LinkResidue> {
  for (const netns of namespaces(state)) await removeChain(netns);
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let residue = await linkResidue(state);
  while (residue.processes.length > 0) {
    for (const { pid } of residue.processes) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
    residue = await linkResidue(state);
  }
  return residue;
}
