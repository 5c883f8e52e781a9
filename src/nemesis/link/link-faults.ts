/**
 * LinkFaults: latency, bandwidth limits, resets and black holes per DIRECTED link between cluster
 * nodes that each live in their own network namespace. (The kernel here has no netem, so the
 * faults come from a userspace proxy speaking Toxiproxy's API.)
 *
 * setup() starts one proxy server per namespace (`ip netns exec <ns> node main.js`, run as a
 * dedicated group id), creates in node i's namespace one proxy per (peer j, port p) forwarding
 * to j:p, and adds `iptables -t nat` DNAT rules in i's namespace (own chain FAULTLINE-LINK,
 * jumped to from OUTPUT) sending i's outgoing connections to j:p into that proxy. The proxy's
 * own upstream connection is excluded from the DNAT by its group id (`-m owner ! --gid-owner`),
 * so it does not loop. That connection leaves from i's namespace with i's own address, so j
 * still sees i's address: iptables partitions that drop by peer address compose with link faults.
 *
 * Which proxy and stream carry "the bytes i sends to j" is explained in directed.ts.
 *
 * Connections that already exist when setup() runs keep going direct (conntrack has them);
 * call setup() before starting the nodes.
 *
 * Every change to what exists is reported through `onStateChange` as a serialisable LinkState,
 * which the caller journals; `cleanupLinkState(state)` (residue.ts) undoes it after a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Toxiproxy, Proxy as ClientProxy } from 'toxiproxy-node-client';
import { LinkFaultError, normaliseLinks, placementsFor, proxyName, toxicFor } from './directed.js';
import { appendRule, dnatRule, ensureChain, inNetns, LINK_CHAIN } from './netns.js';
import { median, probeOneWay } from './probe.js';
import { splitHostPort } from './proxy.js';
import { cleanupLinkState, type LinkResidue } from './residue.js';
import type {
  AppliedLinkFault,
  InstalledToxic,
  LinkFaultSpec,
  LinkProxyRecord,
  LinkServerRecord,
  LinkState,
  NodeNet,
} from './types.js';

export { LinkFaultError } from './directed.js';

/** Group id the proxy processes run as (no group entry needed; only the number matters). */
export const DEFAULT_LINK_GID = 47474;

export interface LinkSetupOptions {
  /** Toxiproxy API port of each proxy server, bound on the node's address. Default 8474. */
  apiPort?: number;
  /** Port of the one-way delay probe on each node's address (built-in server only). Default 8475. */
  probePort?: number;
  gid?: number;
  /**
   * Command that runs a Toxiproxy-API server listening on `listen` ("ip:port"); it is started
   * inside the node's namespace with group `gid`. Default: our server (main.js), which also
   * serves the probe. E.g. `(l) => ['toxiproxy-server', '-host', l.split(':')[0], '-port', '8474']`
   * for a real Toxiproxy (then measureLatency is unavailable).
   */
  proxyCommand?: (listen: string, node: NodeNet) => string[];
  /**
   * Use Toxiproxy servers that are already running instead of starting any: node -> base URL.
   * They must run inside the node's namespace with group `gid`.
   */
  toxiproxyUrl?: (node: NodeNet) => string;
  /** Directory for the proxy servers' output (<node>.link.log); default: kept in memory. */
  logDir?: string;
  /** How long a server may take to answer its API. Default 15 s. */
  startTimeoutMs?: number;
  /** Called with a fresh copy of the state after every change; journal it. */
  onStateChange?: (state: LinkState) => void;
}

export interface LinkLatency {
  from: string;
  to: string;
  /** One-way delay (ms, median) of bytes `from` sends to `to`: the slower of both connections. */
  forwardMs: number | null;
  /** One-way delay of bytes `to` sends to `from`. */
  reverseMs: number | null;
  /** Per connection: `from` opened it (via proxy from->to) or `to` did (via proxy to->from). */
  detail: {
    fromOpened: { forwardMs: number; reverseMs: number } | { error: string };
    toOpened: { forwardMs: number; reverseMs: number } | { error: string };
  };
}

interface RunningServer {
  record: LinkServerRecord;
  client: Toxiproxy;
  child: ChildProcess | null;
  exited: boolean;
  output: string[];
  log: WriteStream | null;
}

/** The command that runs our own server, from source (tests, tsx) or from dist. */
function builtinCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return [process.execPath, '--import', pathToFileURL(tsx).href, join(dirname(here), 'main.ts')];
  }
  return [process.execPath, join(dirname(here), 'main.js')];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LinkFaults {
  private state: LinkState | null = null;
  private servers = new Map<string, RunningServer>();
  private opts: LinkSetupOptions = {};
  private counter = 0;

  /** A copy of the current state (null before setup). */
  get linkState(): LinkState | null {
    return this.state ? structuredClone(this.state) : null;
  }

  private changed(): void {
    if (this.state && this.opts.onStateChange) this.opts.onStateChange(structuredClone(this.state));
  }

  private node(name: string): NodeNet {
    const n = this.state?.nodes.find((x) => x.name === name);
    if (!n) throw new LinkFaultError(`unknown node ${JSON.stringify(name)}`);
    return n;
  }

  private server(node: string): RunningServer {
    const s = this.servers.get(node);
    if (!s) throw new LinkFaultError(`no link proxy server for node ${node}`);
    if (s.exited) {
      throw new LinkFaultError(
        `link proxy of ${node} exited: ${s.output.join('').slice(-500).trim() || 'no output'}`,
      );
    }
    return s;
  }

  async setup(nodes: NodeNet[], opts: LinkSetupOptions = {}): Promise<LinkState> {
    if (this.state) throw new LinkFaultError('setup() was already called; teardown() first');
    if (nodes.length < 2) throw new LinkFaultError('needs at least two nodes', 'nodes');
    const names = new Set(nodes.map((n) => n.name));
    if (names.size !== nodes.length) throw new LinkFaultError('node names must be unique', 'nodes');
    this.opts = opts;
    const builtin = !opts.proxyCommand && !opts.toxiproxyUrl;
    const apiPort = opts.apiPort ?? 8474;
    const probePort = builtin ? (opts.probePort ?? 8475) : null;
    this.state = {
      version: 1,
      chain: LINK_CHAIN,
      gid: opts.gid ?? DEFAULT_LINK_GID,
      apiPort,
      probePort,
      nodes: structuredClone(nodes),
      servers: [],
      proxies: [],
      natNamespaces: [],
      faults: [],
    };
    this.changed();
    try {
      await Promise.all(nodes.map((n) => this.startServer(n)));
      await Promise.all(nodes.map((n) => this.createProxies(n)));
      for (const n of nodes) await this.redirect(n);
    } catch (e) {
      await this.teardown().catch(() => undefined);
      throw e;
    }
    return structuredClone(this.state);
  }

  private async startServer(node: NodeNet): Promise<void> {
    const state = this.state!;
    const listen = `${node.ip}:${state.apiPort}`;
    const url = this.opts.toxiproxyUrl?.(node) ?? `http://${listen}`;
    const running: RunningServer = {
      record: { node: node.name, netns: node.netns, url, pid: null },
      client: new Toxiproxy(url),
      child: null,
      exited: false,
      output: [],
      log: null,
    };
    this.servers.set(node.name, running);
    if (!this.opts.toxiproxyUrl) {
      const cmd = this.opts.proxyCommand
        ? this.opts.proxyCommand(listen, node)
        : [
            ...builtinCommand(),
            '--listen',
            listen,
            '--probe',
            `${node.ip}:${state.probePort}`,
            '--exit-with-stdin',
          ];
      const [exe, ...args] = inNetns(node.netns, cmd);
      const child = spawn(exe!, args, { gid: state.gid, stdio: ['pipe', 'pipe', 'pipe'] });
      running.child = child;
      running.record.pid = child.pid ?? null;
      if (this.opts.logDir) {
        mkdirSync(this.opts.logDir, { recursive: true });
        running.log = createWriteStream(join(this.opts.logDir, `${node.name}.link.log`));
      }
      const keep = (chunk: Buffer): void => {
        running.output.push(chunk.toString());
        if (running.output.length > 50) running.output.shift();
        running.log?.write(chunk);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      child.on('error', (e) => keep(Buffer.from(String(e))));
      child.on('exit', () => {
        running.exited = true;
        running.log?.end();
      });
    }
    state.servers.push(running.record);
    this.changed();
    await this.waitReady(running);
  }

  private async waitReady(s: RunningServer): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 15_000);
    let last = '';
    while (Date.now() < deadline) {
      if (s.exited) break;
      try {
        await s.client.getVersion();
        return;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(50);
    }
    const out = s.output.join('').slice(-500).trim();
    throw new LinkFaultError(
      `link proxy server of ${s.record.node} (${s.record.url}) did not come up: ${s.exited ? 'exited' : last}${out ? `; output: ${out}` : ''}`,
    );
  }

  private async createProxies(node: NodeNet): Promise<void> {
    const state = this.state!;
    const peers = state.nodes.filter((n) => n.name !== node.name);
    const wanted: Array<Omit<LinkProxyRecord, 'listen'>> = [];
    for (const peer of peers) {
      const ports = [...peer.ports.map((p) => ({ p, redirected: true }))];
      if (state.probePort !== null) ports.push({ p: state.probePort, redirected: false });
      for (const { p, redirected } of ports) {
        wanted.push({
          name: proxyName(node.name, peer.name, p),
          from: node.name,
          to: peer.name,
          port: p,
          upstream: `${peer.ip}:${p}`,
          redirected,
        });
      }
    }
    const created = await this.server(node.name).client.populate(
      wanted.map((w) => ({
        name: w.name,
        listen: `${node.ip}:0`,
        upstream: w.upstream,
        enabled: true,
      })),
    );
    for (const w of wanted) {
      const p = created[w.name];
      if (!p) throw new LinkFaultError(`server of ${node.name} did not create proxy ${w.name}`);
      state.proxies.push({ ...w, listen: p.listen });
    }
    this.changed();
  }

  private async redirect(node: NodeNet): Promise<void> {
    const state = this.state!;
    state.natNamespaces.push(node.netns);
    this.changed();
    await ensureChain(node.netns);
    for (const p of state.proxies) {
      if (p.from !== node.name || !p.redirected) continue;
      const dest = splitHostPort(p.upstream);
      await appendRule(node.netns, dnatRule(dest.host, dest.port, p.listen, state.gid));
    }
  }

  /** Installs a fault on directed links; returns its id and every toxic put in place. */
  async apply(spec: LinkFaultSpec): Promise<AppliedLinkFault> {
    const state = this.requireState();
    const links = normaliseLinks(
      spec.links,
      state.nodes.map((n) => n.name),
    );
    const params = spec.params ?? {};
    const toxic = toxicFor(spec.kind, params);
    const id = spec.id ?? `link${++this.counter}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new LinkFaultError('must match [A-Za-z0-9_.-]+', 'id');
    if (state.faults.some((f) => f.id === id)) throw new LinkFaultError(`id ${id} is active`, 'id');

    const installed: InstalledToxic[] = [];
    const fault: AppliedLinkFault = { id, kind: spec.kind, links, params, installed };
    try {
      for (const link of links) {
        for (const { proxy, stream } of placementsFor(link, state.proxies)) {
          const body = {
            name: `${id}-${stream}`,
            type: toxic.type,
            stream,
            toxicity: toxic.toxicity,
            attributes: toxic.attributes,
          };
          const added = await this.clientProxy(proxy).addToxic(body);
          const { name, stream: st, toxicity, attributes } = added.toJson();
          installed.push({
            server: proxy.from,
            proxy: proxy.name,
            toxic: { name, type: toxic.type, stream: st, toxicity, attributes },
          });
        }
      }
    } catch (e) {
      await this.removeToxics(installed);
      throw new LinkFaultError(`applying ${spec.kind} failed: ${(e as Error).message}`);
    }
    state.faults.push(fault);
    this.changed();
    return structuredClone(fault);
  }

  private clientProxy(p: LinkProxyRecord): ClientProxy {
    const client = this.server(p.from).client;
    return new ClientProxy(client, {
      name: p.name,
      listen: p.listen,
      upstream: p.upstream,
      enabled: true,
      toxics: [],
    });
  }

  /** Removes toxics; a toxic that is already gone is fine. Returns how many were removed. */
  private async removeToxics(list: InstalledToxic[]): Promise<number> {
    let removed = 0;
    const errors: string[] = [];
    for (const t of list) {
      const s = this.servers.get(t.server);
      if (!s || s.exited) continue;
      try {
        await s.client.getApi().delete(`${s.record.url}/proxies/${t.proxy}/toxics/${t.toxic.name}`);
        removed++;
      } catch (e) {
        if (!/\b404\b/.test((e as Error).message))
          errors.push(`${t.proxy}/${t.toxic.name}: ${(e as Error).message}`);
      }
    }
    if (errors.length > 0) throw new LinkFaultError(`removing toxics failed: ${errors.join('; ')}`);
    return removed;
  }

  /** Undoes one fault. */
  async heal(id: string): Promise<{ id: string; removed: number }> {
    const state = this.requireState();
    const fault = state.faults.find((f) => f.id === id);
    if (!fault) throw new LinkFaultError(`no active link fault ${JSON.stringify(id)}`, 'id');
    const removed = await this.removeToxics(fault.installed);
    state.faults = state.faults.filter((f) => f !== fault);
    this.changed();
    return { id, removed };
  }

  /** Undoes every fault, including toxics left by anyone else (POST /reset on each server). */
  async healAll(): Promise<{ healed: string[] }> {
    const state = this.requireState();
    const healed = state.faults.map((f) => f.id);
    for (const s of this.servers.values()) if (!s.exited) await s.client.reset();
    state.faults = [];
    this.changed();
    return { healed };
  }

  /**
   * Removes the nat rules, kills the proxy servers and waits until they are gone. Returns what
   * could not be removed (empty lists when clean).
   */
  async teardown(): Promise<LinkResidue> {
    const state = this.state;
    if (!state) return { processes: [], natRules: [] };
    const exits = [...this.servers.values()]
      .filter((s) => s.child && !s.exited)
      .map((s) => new Promise<void>((resolve) => s.child!.once('exit', () => resolve())));
    const residue = await cleanupLinkState(state);
    await Promise.race([Promise.all(exits), sleep(5000)]);
    for (const s of this.servers.values()) {
      s.child?.stdin?.destroy();
      s.log?.end();
    }
    this.servers.clear();
    this.state = null;
    return residue;
  }

  /** What is in place: servers, proxies, active faults. */
  describe(): {
    servers: Array<LinkServerRecord & { running: boolean }>;
    proxies: LinkProxyRecord[];
    faults: AppliedLinkFault[];
  } {
    const state = this.requireState();
    return structuredClone({
      servers: state.servers.map((r) => ({ ...r, running: !this.servers.get(r.node)?.exited })),
      proxies: state.proxies,
      faults: state.faults,
    });
  }

  /**
   * Measures one-way delays between two nodes through the link proxies, on a connection opened
   * by each side, with the probe each built-in server runs on its node's address. The probe
   * connections enter the proxies directly (not through DNAT) and carry the same toxics as
   * the nodes' own ports, so this verifies what a fault did to the link.
   */
  async measureLatency(
    from: string,
    to: string,
    opts: { samples?: number; timeoutMs?: number } = {},
  ): Promise<LinkLatency> {
    const state = this.requireState();
    if (state.probePort === null) {
      throw new LinkFaultError(
        'measureLatency needs the built-in link proxy (it serves the probe)',
      );
    }
    this.node(from);
    this.node(to);
    const probe = async (
      opener: string,
      peer: string,
    ): Promise<{ forwardMs: number; reverseMs: number } | { error: string }> => {
      const p = state.proxies.find(
        (x) => x.from === opener && x.to === peer && x.port === state.probePort,
      );
      if (!p) return { error: `no probe proxy ${opener}->${peer}` };
      const { host, port } = splitHostPort(p.listen);
      try {
        const samples = await probeOneWay(host, port, opts);
        return {
          forwardMs: median(samples.map((s) => s.forwardMs)),
          reverseMs: median(samples.map((s) => s.backwardMs)),
        };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    const [fromOpened, toOpened] = await Promise.all([probe(from, to), probe(to, from)]);
    // On the connection `to` opened, forward/backward are seen from `to`: swap them.
    const toOpenedView =
      'error' in toOpened
        ? toOpened
        : { forwardMs: toOpened.reverseMs, reverseMs: toOpened.forwardMs };
    const pick = (k: 'forwardMs' | 'reverseMs'): number | null => {
      const xs = [fromOpened, toOpenedView].flatMap((d) => ('error' in d ? [] : [d[k]]));
      return xs.length ? Math.max(...xs) : null;
    };
    return {
      from,
      to,
      forwardMs: pick('forwardMs'),
      reverseMs: pick('reverseMs'),
      detail: { fromOpened, toOpened: toOpenedView },
    };
  }

  private requireState(): LinkState {
    if (!this.state) throw new LinkFaultError('setup() has not been called');
    return this.state;
  }
}
