/**
 * A throwaway network for link tests: N namespaces on one bridge, unique names (random suffix),
 * subnet 10.77.X.0/24 with X in 200-250 (clear of the cluster code's subnets), a timestamp echo
 * server in each namespace, and a client that runs inside a namespace. Everything is removed by
 * destroy(), which is safe to call after a partial create().
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';

export interface TestNode {
  name: string;
  netns: string;
  ip: string;
  veth: string;
}

function sh(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${errOut || err.message}`));
      else resolve(out);
    });
  });
}

const quiet = (argv: string[]): Promise<void> =>
  sh(argv).then(
    () => undefined,
    () => undefined,
  );

// The echo server answers "<seq>\n" with "<seq> <CLOCK_MONOTONIC ns at receipt>\n" (as probe.ts).
const ECHO = `
const net = require('net');
const [host, port] = process.argv.slice(1);
net.createServer((s) => {
  s.setNoDelay(true);
  let buf = '';
  s.on('data', (c) => {
    const at = process.hrtime.bigint();
    buf += c;
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) { s.write(buf.slice(0, i) + ' ' + at + '\\n'); buf = buf.slice(i + 1); }
  });
  s.on('error', () => s.destroy());
}).listen(Number(port), host);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

// Client: one connection, N one-way samples; prints {forward:[ms], backward:[ms]} or {error}.
const CLIENT = `
const net = require('net');
const [host, port, n, timeout] = process.argv.slice(1);
const out = { forward: [], backward: [] };
const s = net.connect({ host, port: Number(port) });
s.setNoDelay(true);
let sent = 0n, buf = '';
const send = () => { sent = process.hrtime.bigint(); s.write(out.forward.length + '\\n'); };
const fin = (o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); };
setTimeout(() => fin({ error: 'timeout', ...out }), Number(timeout));
s.on('connect', send);
s.on('error', (e) => fin({ error: e.code || e.message }));
s.on('close', () => fin({ error: 'closed', ...out }));
s.on('data', (c) => {
  const now = process.hrtime.bigint();
  buf += c;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const at = BigInt(buf.slice(0, i).split(' ')[1]);
    buf = buf.slice(i + 1);
    out.forward.push(Number(at - sent) / 1e6);
    out.backward.push(Number(now - at) / 1e6);
    if (out.forward.length >= Number(n)) fin(out);
    else send();
  }
});
`;

export interface ClientResult {
  forward: number[];
  backward: number[];
  error?: string;
}

export class NetnsFixture {
  readonly suffix = randomBytes(3).toString('hex');
  readonly subnet = `10.77.${randomInt(200, 251)}`;
  readonly bridge = `flbr${this.suffix}`;
  readonly nodes: TestNode[];
  readonly echoPort = 7000;
  private echoes: ChildProcess[] = [];

  constructor(names: string[]) {
    this.nodes = names.map((name, i) => ({
      name,
      netns: `fl-link-${this.suffix}-${name}`,
      ip: `${this.subnet}.${11 + i}`,
      veth: `flv${this.suffix}${i}`, // <= 15 chars
    }));
  }

  async create(): Promise<void> {
    await sh(['ip', 'link', 'add', this.bridge, 'type', 'bridge']);
    await sh(['ip', 'addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge]);
    await sh(['ip', 'link', 'set', this.bridge, 'up']);
    for (const n of this.nodes) {
      await sh(['ip', 'netns', 'add', n.netns]);
      await sh(['ip', 'link', 'add', n.veth, 'type', 'veth', 'peer', 'name', `${n.veth}p`]);
      await sh(['ip', 'link', 'set', `${n.veth}p`, 'netns', n.netns]);
      await sh(['ip', 'link', 'set', n.veth, 'master', this.bridge, 'up']);
      const ns = (argv: string[]): Promise<string> => sh(['ip', 'netns', 'exec', n.netns, ...argv]);
      await ns(['ip', 'link', 'set', 'lo', 'up']);
      await ns(['ip', 'link', 'set', `${n.veth}p`, 'name', 'eth0']);
      await ns(['ip', 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
      await ns(['ip', 'link', 'set', 'eth0', 'up']);
    }
  }

  /** Starts the echo server in every namespace and waits (with a deadline) until each answers. */
  async startEchoes(): Promise<void> {
    for (const n of this.nodes) {
      const child = spawn(
        'ip',
        ['netns', 'exec', n.netns, process.execPath, '-e', ECHO, n.ip, String(this.echoPort)],
        { stdio: ['pipe', 'ignore', 'inherit'] },
      );
      this.echoes.push(child);
    }
    for (const n of this.nodes) await waitListening(n.ip, this.echoPort, 10_000);
  }

  /** Runs the timestamp client inside `from`'s namespace against `to`'s echo server. */
  client(from: string, to: string, samples = 3, timeoutMs = 3000): Promise<ClientResult> {
    const f = this.node(from);
    const t = this.node(to);
    return sh([
      'ip',
      'netns',
      'exec',
      f.netns,
      process.execPath,
      '-e',
      CLIENT,
      t.ip,
      String(this.echoPort),
      String(samples),
      String(timeoutMs),
    ]).then((out) => JSON.parse(out) as ClientResult);
  }

  node(name: string): TestNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no test node ${name}`);
    return n;
  }

  ns(name: string, argv: string[]): Promise<string> {
    return sh(['ip', 'netns', 'exec', this.node(name).netns, ...argv]);
  }

  async destroy(): Promise<void> {
    const exits = this.echoes.map(
      (c) =>
        new Promise<void>((r) =>
          c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()),
        ),
    );
    for (const c of this.echoes) c.kill('SIGKILL');
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000))]);
    for (const n of this.nodes) {
      await quiet(['ip', 'netns', 'del', n.netns]);
      await quiet(['ip', 'link', 'del', n.veth]);
    }
    await quiet(['ip', 'link', 'del', this.bridge]);
  }
}

export async function waitListening(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', (e) => ((last = e.message), resolve(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${host}:${port} not listening after ${timeoutMs} ms: ${last}`);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
