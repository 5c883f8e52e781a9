/**
 * The iptables chain network faults add their rules to. Every placement creates it, empty, on
 * each node at `create` (hooked into INPUT and OUTPUT, loopback excluded) and removes it at
 * `destroy` where it outlives the node (ssh hosts); faults then only ever touch this chain, so
 * healing one fault deletes exactly its rules and recovery can flush it without touching anyone
 * else's rules. Applied with `iptables-restore --noflush` through the node's Remote.
 */
import type { Remote } from '../control/remote.js';

export const FAULT_CHAIN = 'FAULTLINE';

/** `iptables-restore --noflush` input creating the chain and the two jumps. */
export function faultChainSetup(): string {
  return [
    '*filter',
    `:${FAULT_CHAIN} - [0:0]`,
    `-A INPUT ! -i lo -j ${FAULT_CHAIN}`,
    `-A OUTPUT ! -o lo -j ${FAULT_CHAIN}`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Creates the chain on a node (a fresh namespace/container/host without it). */
export async function createFaultChain(remote: Remote): Promise<void> {
  await remote.exec(['iptables-restore', '-w', '5', '--noflush'], {
    stdin: faultChainSetup(),
  });
}

/** Removes the jumps and the chain (hosts that outlive the run); ignores what is already gone. */
export async function removeFaultChain(remote: Remote): Promise<void> {
  const ipt = (...args: string[]) => remote.run(['iptables', '-w', '5', ...args]);
  for (let i = 0; i < 10; i++) {
    if ((await ipt('-D', 'INPUT', '!', '-i', 'lo', '-j', FAULT_CHAIN)).code !== 0) break;
  }
  for (let i = 0; i < 10; i++) {
    if ((await ipt('-D', 'OUTPUT', '!', '-o', 'lo', '-j', FAULT_CHAIN)).code !== 0) break;
  }
  await ipt('-F', FAULT_CHAIN);
  await ipt('-X', FAULT_CHAIN);
}
