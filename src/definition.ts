/**
 * Cluster definitions (clusters/*.json): which database, which nodes, which ports, where data and
 * logs go, and how to start and stop a member. Validated with zod; a bad file is reported as one
 * line naming the file and the field path, never a stack trace.
 *
 * The `database` field discriminates: each system driver (src/system) adds its own
 * variant to the union below: "etcd" and "postgres" (a single PostgreSQL 15 primary).
 *
 * `backend` says where the nodes live (src/placement): "netns" (the default: a namespace per node
 * on this machine), "ssh" (the user's machines, listed per node with `host`, and the `ssh` block)
 * or "docker" (one container per node from a local image on a user-defined bridge: the `docker`
 * block). Files without `backend` mean exactly what they meant before.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { fieldPath, jsonErrorAt } from './json-input.js';
import { fsReason } from './input-file.js';

/** Placeholders a start/stop template or dir template may use (filled per node at start). */
export const TEMPLATE_VARS = [
  'runDir',
  'node',
  'ip',
  'clientPort',
  'peerPort',
  'dataDir',
  'logFile',
  'clientUrl',
  'peerUrl',
  'initialCluster',
  'clusterState',
  'clusterToken',
] as const;
export type TemplateVar = (typeof TEMPLATE_VARS)[number];

const templateString = z
  .string()
  .min(1)
  .refine(
    (s) =>
      [...s.matchAll(/\{([^}]*)\}/g)].every((m) =>
        (TEMPLATE_VARS as readonly string[]).includes(m[1]!),
      ),
    {
      message: `uses an unknown {placeholder}; known: ${TEMPLATE_VARS.map((v) => `{${v}}`).join(' ')}`,
    },
  );

const nodeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be 1-20 chars of a-z, 0-9, "-", starting with a letter');

/** OpenSSH's fingerprint form (`ssh-keygen -lf`): SHA256:<43 base64 chars>. */
const fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be an OpenSSH SHA256 fingerprint (SHA256:...)');

const port = z.number().int().min(1).max(65535);

const nodeSchema = z.strictObject({
  name: nodeName,
  /** "auto": .11, .12, ... of the run's /24 in node order; or an explicit IPv4 inside `subnet`. */
  address: z.union([z.literal('auto'), z.ipv4()]).default('auto'),
  /** ssh: the machine to connect to (name or address; default `address`). */
  host: z.string().min(1).max(253).optional(),
  /** ssh: this host's port, over `ssh.port`. */
  sshPort: port.optional(),
  /** ssh: the host key's pinned fingerprint (instead of, or besides, `ssh.knownHosts`). */
  hostKey: fingerprint.optional(),
});

/**
 * ssh backend: how to reach the hosts. Paths are relative to the definition file. Private keys
 * and passphrases are read at connect time and never copied into state files or logs.
 */
const sshSchema = z.strictObject({
  user: z.string().min(1).default('root'),
  port: port.default(22),
  /** Private key file; or `agent: true` to use $SSH_AUTH_SOCK. */
  privateKey: z.string().min(1).optional(),
  /** Environment variable holding the key's passphrase (the passphrase itself never is in the file). */
  passphraseEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  agent: z.boolean().default(false),
  /** OpenSSH known_hosts file the host keys are checked against. */
  knownHosts: z.string().min(1).optional(),
  /** Accept (and append to knownHosts) a host key never seen before; a CHANGED key is still refused. */
  acceptNewHostKeys: z.boolean().default(false),
  /** Run privileged commands (iptables, signals to the member) through `sudo -n`. */
  sudo: z.boolean().default(false),
  /** Faultline's directory on each host; a run uses `<workDir>/<run id>` and removes it at teardown. */
  workDir: z
    .string()
    .regex(/^\/[^\0]*$/, 'must be an absolute path')
    .default('/tmp/faultline'),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

/** docker backend: which engine, which image, which network. Nothing is pulled from a registry. */
const dockerSchema = z.strictObject({
  /** The engine's socket. */
  socket: z.string().min(1).default('/var/run/docker.sock'),
  /** A local image holding the system under test (e.g. built by `scripts/lab.sh up docker`). */
  image: z.string().min(1),
  /** The user-defined bridge network's /24: "auto" (a free 10.77.N.0/24, as for netns) or explicit. */
  subnet: z
    .union([z.literal('auto'), z.cidrv4().refine((c) => c.endsWith('/24'), 'must be a /24')])
    .default('auto'),
});

const commandSchema = z.strictObject({
  command: templateString,
  args: z.array(templateString).default([]),
  env: z.record(z.string(), templateString).default({}),
});

const baseShape = {
  backend: z.enum(['netns', 'ssh', 'docker']).default('netns'),
  ssh: sshSchema.optional(),
  docker: dockerSchema.optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a simple name (letters, digits, . _ -)'),
  /** "auto": a free 10.77.N.0/24 chosen per run (so runs can coexist), or an explicit /24. */
  subnet: z
    .union([z.literal('auto'), z.cidrv4().refine((c) => c.endsWith('/24'), 'must be a /24')])
    .default('auto'),
  nodes: z.array(nodeSchema).min(1).max(200),
  ports: z.strictObject({ client: port, peer: port }),
  dirs: z
    .strictObject({
      data: templateString.default('{runDir}/data/{node}'),
      log: templateString.default('{runDir}/logs/{node}.log'),
    })
    .default({ data: '{runDir}/data/{node}', log: '{runDir}/logs/{node}.log' }),
  /** How to start one member (run inside its namespace). Omitted: the driver's default. */
  start: commandSchema.optional(),
  /** How to stop a member: a signal (SIGKILL by default: etcd's SIGTERM path takes ~8 s). */
  stop: z
    .strictObject({
      signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT']).default('SIGKILL'),
      graceMs: z.number().int().min(0).max(60_000).default(0),
    })
    .default({ signal: 'SIGKILL', graceMs: 0 }),
  /** The URL clients use for a node. */
  clientEndpoint: templateString.default('http://{ip}:{clientPort}'),
  /** Deadline for `up` (and restarts) to reach health. */
  healthTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
};

const etcdDefinition = z.strictObject({
  database: z.literal('etcd'),
  ...baseShape,
});

/** PostgreSQL 15 (src/system/postgres.ts): clients use `postgres://user@{ip}:{clientPort}/db`. */
const postgresDefinition = z.strictObject({
  database: z.literal('postgres'),
  ...baseShape,
});

// A discriminated union on `database`: each driver adds its variant.
export const clusterDefinitionSchema = z
  .discriminatedUnion('database', [etcdDefinition, postgresDefinition])
  .superRefine((def, ctx) => {
    checkBackend(def, ctx);
    const seenNames = new Map<string, number>();
    const seenAddrs = new Map<string, number>();
    def.nodes.forEach((n, i) => {
      if (seenNames.has(n.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'name'],
          message: `duplicate node name "${n.name}"`,
        });
      }
      seenNames.set(n.name, i);
      if (n.address === 'auto') return;
      if (seenAddrs.has(n.address)) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'address'],
          message: `duplicate address ${n.address}`,
        });
      }
      seenAddrs.set(n.address, i);
      if (def.backend === 'ssh') return; // the user's own addresses
      const subnet = def.backend === 'docker' ? (def.docker?.subnet ?? 'auto') : def.subnet;
      if (subnet === 'auto') {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'address'],
          message: 'an explicit address needs an explicit subnet',
        });
      } else {
        const prefix = subnet.split('.').slice(0, 3).join('.') + '.';
        const last = Number(n.address.split('.')[3]);
        if (!n.address.startsWith(prefix) || last < 2 || last > 254) {
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', i, 'address'],
            message: `${n.address} is not a usable host address in ${subnet} (.1 is the host)`,
          });
        }
      }
    });
    if (def.nodes.length > 200) return;
    if (def.ports.client === def.ports.peer) {
      ctx.addIssue({
        code: 'custom',
        path: ['ports', 'peer'],
        message: 'must differ from ports.client',
      });
    }
  });

/** The backend blocks must match `backend`; ssh nodes need addresses and verifiable host keys. */
function checkBackend(
  def: {
    backend: 'netns' | 'ssh' | 'docker';
    ssh?: z.output<typeof sshSchema> | undefined;
    docker?: z.output<typeof dockerSchema> | undefined;
    nodes: z.output<typeof nodeSchema>[];
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  for (const other of ['ssh', 'docker'] as const) {
    if (def[other] && def.backend !== other)
      issue([other], `only allowed with "backend": "${other}" (backend is ${def.backend})`);
  }
  if (def.backend === 'docker' && !def.docker)
    issue(['docker'], 'required with "backend": "docker" ({ "image": ..., "socket": ... })');
  if (def.backend !== 'ssh') {
    def.nodes.forEach((n, i) => {
      for (const f of ['host', 'sshPort', 'hostKey'] as const)
        if (n[f] !== undefined) issue(['nodes', i, f], 'only allowed with "backend": "ssh"');
    });
    return;
  }
  const ssh = def.ssh;
  if (!ssh) {
    issue(
      ['ssh'],
      'required with "backend": "ssh" ({ "user", "privateKey" or "agent", "knownHosts" })',
    );
    return;
  }
  if (!ssh.privateKey && !ssh.agent)
    issue(['ssh', 'privateKey'], 'give a private key file, or "agent": true to use $SSH_AUTH_SOCK');
  def.nodes.forEach((n, i) => {
    if (n.address === 'auto')
      issue(
        ['nodes', i, 'address'],
        'ssh hosts need their address (the one peers and clients use)',
      );
    if (!ssh.knownHosts && !n.hostKey && !ssh.acceptNewHostKeys)
      issue(
        ['nodes', i, 'hostKey'],
        'no way to verify this host: pin its key fingerprint here or give ssh.knownHosts',
      );
  });
}

export type ClusterDefinition = z.output<typeof clusterDefinitionSchema>;
export type SshSettings = z.output<typeof sshSchema>;
export type DockerSettings = z.output<typeof dockerSchema>;
export type NodeSpec = ClusterDefinition['nodes'][number];
export type DatabaseName = ClusterDefinition['database'];
export type CommandTemplate = z.output<typeof commandSchema>;

/** A bad definition file: names the file and field; the CLI prints `userMessage` (exit 65). */
export class ClusterDefinitionError extends Error {
  override readonly name = 'ClusterDefinitionError';
  constructor(
    readonly file: string,
    readonly problems: { field: string; message: string }[],
  ) {
    super(problems.map((p) => `${file}: ${p.field ? p.field + ': ' : ''}${p.message}`).join('; '));
  }
  get userMessage(): string {
    return this.message;
  }
}

/** Validates already-parsed JSON. `file` is only used in error messages. */
export function parseClusterDefinition(json: unknown, file = '<definition>'): ClusterDefinition {
  const result = clusterDefinitionSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ClusterDefinitionError(
    file,
    result.error.issues.map((iss) => ({ field: fieldPath(iss.path), message: iss.message })),
  );
}

/** Reads and validates a definition file; JSON syntax errors are reported with line:column. */
export async function loadClusterDefinition(file: string): Promise<ClusterDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ClusterDefinitionError(file, [
      { field: '', message: `cannot read: ${fsReason(err)}` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const at = jsonErrorAt(text);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw new ClusterDefinitionError(file, [
      { field: '', message: `invalid JSON${where}: ${msg}` },
    ]);
  }
  return parseClusterDefinition(json, file);
}

/** Replaces `{var}` placeholders. Unknown vars were rejected by the schema; missing ones throw. */
export function fillTemplate(
  template: string,
  vars: Partial<Record<TemplateVar, string | number>>,
): string {
  return template.replace(/\{([^}]*)\}/g, (_m, name: string) => {
    const v = vars[name as TemplateVar];
    if (v === undefined) throw new Error(`template "${template}": {${name}} has no value here`);
    return String(v);
  });
}
