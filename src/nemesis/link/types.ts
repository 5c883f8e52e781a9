/**
 * Data types of per-link faults. Everything here is plain JSON so the cluster code can journal
 * it (crash recovery) and the executor can put it into nemesis ops.
 */
import type { Stream, ToxicType } from './toxics.js';

/** A cluster node as the link layer sees it: its namespace, address and peer ports. */
export interface NodeNet {
  name: string;
  /** Network namespace the node runs in (`ip netns` name). */
  netns: string;
  /** The node's own address inside that namespace. */
  ip: string;
  /** TCP ports the nodes use to talk to each other (e.g. etcd peer 2380); these get proxied. */
  ports: number[];
}

export type LinkFaultKind = 'latency' | 'bandwidth' | 'reset' | 'blackhole';

/** A directed link: the bytes `from` sends to `to`. */
export interface DirectedLink {
  from: string;
  to: string;
}

export interface LinkFaultParams {
  /** latency: delay in ms, ± jitterMs. */
  latencyMs?: number;
  jitterMs?: number;
  /** bandwidth: KB/s (1 KB = 1000 bytes). */
  rateKBps?: number;
  /** reset: reset this long after data is seen (default 0); blackhole: close after (0 = never). */
  timeoutMs?: number;
  /** Share of connections affected, 0..1 (default 1). */
  toxicity?: number;
}

export interface LinkFaultSpec {
  kind: LinkFaultKind;
  links: DirectedLink[];
  params?: LinkFaultParams;
  /** Fault id to use (e.g. the executor's "f3"); generated when absent. */
  id?: string;
}

/** One toxic put on one proxy by a fault. */
export interface InstalledToxic {
  /** Node whose namespace runs the proxy server. */
  server: string;
  proxy: string;
  toxic: {
    name: string;
    type: ToxicType;
    stream: Stream;
    toxicity: number;
    attributes: Record<string, number>;
  };
}

export interface AppliedLinkFault {
  id: string;
  kind: LinkFaultKind;
  links: DirectedLink[];
  params: LinkFaultParams;
  installed: InstalledToxic[];
}

/** A proxy server, one per namespace. */
export interface LinkServerRecord {
  node: string;
  netns: string;
  /** Base URL of its Toxiproxy API. */
  url: string;
  /** Process id when we started it (null for a server someone else runs). */
  pid: number | null;
}

/** A proxy inside `from`'s namespace forwarding to `to`'s address:port. */
export interface LinkProxyRecord {
  name: string;
  from: string;
  to: string;
  port: number;
  /** Bound address "ip:port" of the proxy (in `from`'s namespace). */
  listen: string;
  upstream: string;
  /** True when `from`'s outgoing connections to upstream are DNATed into this proxy. */
  redirected: boolean;
}

/**
 * Everything LinkFaults created, serialisable: the caller journals it, and after a crash
 * `cleanupLinkState(state)` removes what is left (proxy processes, nat chains).
 */
export interface LinkState {
  version: 1;
  /** nat chain in each namespace, jumped to from OUTPUT. */
  chain: string;
  /** Group id the proxy processes run as; their own connections skip the DNAT. */
  gid: number;
  apiPort: number;
  /** Port of the one-way delay probe on each server, or null when not running. */
  probePort: number | null;
  nodes: NodeNet[];
  servers: LinkServerRecord[];
  proxies: LinkProxyRecord[];
  /** Namespaces in which our nat chain was created. */
  natNamespaces: string[];
  faults: AppliedLinkFault[];
}
