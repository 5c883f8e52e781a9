/**
 * Connectivity probes for fault verification: a TCP connect from one node to an address, run on
 * the node through its Remote with bash's /dev/tcp under `timeout`, so no extra binary is
 * needed (address and port reach bash as arguments, not inside the script). A dropped SYN shows
 * as `timeout`, a closed port as `refused`.
 */
import { Socket } from 'node:net';
import type { Remote } from '../control/remote.js';

export type ProbeOutcome = 'connected' | 'refused' | 'timeout';

export async function tcpProbe(
  from: Remote,
  ip: string,
  port: number,
  timeoutMs = 1000,
): Promise<ProbeOutcome> {
  const secs = (timeoutMs / 1000).toFixed(3);
  const r = await from.run([
    'timeout',
    secs,
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$1/$2"',
    'faultline-probe',
    ip,
    String(port),
  ]);
  if (r.code === 0) return 'connected';
  if (r.code === 124 || r.signal) return 'timeout';
  return 'refused';
}

/** The same probe from the host (where clients run): a TCP connect with a deadline. */
export function hostTcpProbe(ip: string, port: number, timeoutMs = 1000): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (o: ProbeOutcome) => {
      sock.destroy();
      resolve(o);
    };
    sock.setTimeout(timeoutMs, () => done('timeout'));
    sock.once('connect', () => done('connected'));
    sock.once('error', () => done('refused'));
    sock.connect(port, ip);
  });
}
