/**
 * `faultline cluster up|down|status`: bring a cluster definition up on this machine and leave it
 * running, inspect it, tear it (or every leftover) down. Every subcommand first recovers what a
 * crashed Faultline left behind (src/recovery/recover.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { installSignalHandlers } from '../cluster/cleanup.js';
import { Cluster } from '../cluster/cluster.js';
import { loadClusterDefinition } from '../definition.js';
import { recoverLeftovers, type RecoveryReport } from '../recovery/recover.js';
import { listStates, readState, type ClusterState } from '../cluster/state.js';
import { createLogger, type Logger } from '../log.js';
import { UsageError } from './errors.js';
import { examples } from './help.js';

function loggerFor(program: Command): Logger {
  const o = program.opts<{ quiet?: boolean; logFile?: string }>();
  return createLogger({ quiet: !!o.quiet, ...(o.logFile ? { file: o.logFile } : {}) });
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
}

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function printRecovery(r: RecoveryReport, out: (s: string) => void): void {
  for (const t of r.tornDown) {
    out(
      `tore down cluster ${t.name} (run ${t.runId}): ${t.reason}` +
        (t.unhealedFaults.length ? `; unhealed faults were ${t.unhealedFaults.join(', ')}` : '') +
        '\n',
    );
  }
  for (const h of r.healed)
    out(
      `healed faults ${h.faults.join(', ') || '(none)'} left by a crashed nemesis on run ${h.runId}\n`,
    );
  for (const o of r.orphans) out(`removed orphan ${o}\n`);
  for (const e of r.errors) process.stderr.write(`faultline: recovery: ${e}\n`);
}

/** States matching a target: a state file path, or a definition file (by cluster name). */
async function statesFor(target: string): Promise<ClusterState[]> {
  if (!existsSync(target)) throw new UsageError(`${target}: no such definition or state file`);
  try {
    const s = readState(target);
    return [s];
  } catch {
    // not a state file: a definition
  }
  const def = await loadClusterDefinition(target);
  const path = resolve(target);
  return listStates()
    .map((x) => x.state)
    .filter(
      (s): s is ClusterState =>
        !!s && s.name === def.name && (!s.definitionFile || s.definitionFile === path),
    );
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('run database clusters in network namespaces on this machine');

  cluster
    .command('up')
    .addHelpText(
      'after',
      examples([
        [
          'start the 5-node etcd cluster in network namespaces and leave it running',
          'cluster up clusters/etcd-5.json',
        ],
        [
          'the same, with data and logs in a directory of your choice, as JSON',
          'cluster up clusters/etcd-3.json --run-dir /tmp/etcd-3 --json',
        ],
      ]),
    )
    .description('start a cluster and leave it running; prints its endpoints and state file')
    .argument('<definition>', 'cluster definition (e.g. clusters/etcd-5.json)')
    .option('--run-dir <dir>', 'where data and logs go (default .faultline/clusters/<name>-<time>)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { runDir?: string; json?: boolean }) => {
      const logger = loggerFor(program);
      const def = await loadClusterDefinition(file);
      printRecovery(await recoverLeftovers({ logger }), (s) => process.stderr.write(s));
      const runDir = opts.runDir ?? `.faultline/clusters/${def.name}-${timestamp()}`;
      const t0 = performance.now();
      // Owned by this process until healthy (Ctrl-C or a crash during start-up tears it down),
      // then detached so it outlives the command.
      installSignalHandlers(logger);
      const c = await Cluster.create(def, { runDir, definitionFile: file, logger });
      try {
        await c.start();
      } catch (err) {
        await c.down().catch(() => undefined);
        throw err;
      }
      c.detach();
      const upMs = performance.now() - t0;
      const leaders = await c.primaries();
      const mem = await c.memoryBytes();
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            {
              name: def.name,
              runId: c.runId,
              stateFile: c.stateFile,
              runDir: c.state.runDir,
              backend: c.state.placement.backend,
              subnet: c.subnet,
              endpoints: c.endpoints(),
              leader: leaders[0] ?? null,
              upMs: Math.round(upMs),
              memoryBytes: mem,
              nodes: c.nodes.map((n) => ({
                name: n.name,
                ip: n.ip,
                ...c.where(n.name),
                pid: n.process?.pid,
                endpoint: n.clientUrl,
                log: n.logFile,
              })),
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const out = (s: string) => process.stdout.write(s);
      out(
        `cluster ${def.name} is up: run ${c.runId}, ${c.state.placement.backend} subnet ${c.subnet}, healthy ${(upMs / 1000).toFixed(2)} s after start, members use ${mib(mem)} RSS\n`,
      );
      for (const n of c.nodes) {
        out(
          `  ${n.name.padEnd(6)} ${n.ip.padEnd(13)} ${n.clientUrl.padEnd(24)} pid ${String(n.process?.pid ?? '-').padEnd(7)} ${Object.entries(
            c.where(n.name),
          )
            .filter(([k]) => k !== 'vethHost')
            .map(([k, v]) => `${k} ${v}`)
            .join(' ')}${leaders.includes(n.name) ? '  (leader)' : ''}\n`,
        );
      }
      out(`endpoints: ${c.endpoints().join(',')}\n`);
      out(`state file: ${c.stateFile}\n`);
      out(`run dir: ${c.state.runDir} (logs in logs/)\n`);
      if (c.driver.clock !== 'faketime')
        out(
          `note: ${def.database} is a Go binary and ignores libfaketime: clock faults cannot be applied to it\n`,
        );
      out(`tear down with: faultline cluster down ${c.stateFile}\n`);
    });

  cluster
    .command('down')
    .addHelpText(
      'after',
      examples([
        ['tear down the cluster started from a definition', 'cluster down clusters/etcd-5.json'],
        [
          'tear down everything Faultline left, including orphaned namespaces',
          'cluster down --all --orphans',
        ],
      ]),
    )
    .description('tear down clusters (by definition or state file), or every leftover with --all')
    .argument('[target]', 'definition or state file')
    .option('--all', 'tear down every cluster recorded in the state dir')
    .option(
      '--orphans',
      'with --all: also remove fl*-named namespaces/links that no state file describes',
    )
    .action(async (target: string | undefined, opts: { all?: boolean; orphans?: boolean }) => {
      const logger = loggerFor(program);
      if (!target && !opts.all)
        throw new UsageError('cluster down: give a definition or state file, or --all');
      const out = (s: string) => process.stdout.write(s);
      if (opts.all) {
        const r = await recoverLeftovers({ all: true, orphans: !!opts.orphans, logger });
        printRecovery(r, out);
        if (r.tornDown.length === 0 && r.orphans.length === 0) out('nothing to tear down\n');
        if (r.errors.length) process.exitCode = 70;
        return;
      }
      const states = await statesFor(target!);
      const ids = new Set(states.map((s) => s.runId));
      const r = await recoverLeftovers({ logger, only: (s) => ids.has(s.runId) });
      printRecovery(r, out);
      if (states.length === 0) out(`no running cluster for ${target}\n`);
      if (r.errors.length) process.exitCode = 70;
    });

  cluster
    .command('status')
    .addHelpText(
      'after',
      examples([
        ['health and leader of every running cluster', 'cluster status'],
        ['one cluster, as JSON', 'cluster status clusters/etcd-5.json --json'],
      ]),
    )
    .description('show running clusters: members, pids, process state, health, leader, memory')
    .argument('[target]', 'definition or state file (default: all clusters)')
    .option('--json', 'print as JSON')
    .action(async (target: string | undefined, opts: { json?: boolean }) => {
      const logger = loggerFor(program);
      printRecovery(await recoverLeftovers({ logger }), (s) => process.stderr.write(s));
      const states = target
        ? await statesFor(target)
        : listStates().flatMap((x) => (x.state ? [x.state] : []));
      const reports = await Promise.all(
        states.map(async (s) => {
          const c = Cluster.attach(s, { logger });
          return {
            name: s.name,
            runId: s.runId,
            stateFile: c.stateFile,
            runDir: s.runDir,
            owner: s.owner?.pid ?? null,
            backend: s.placement.backend,
            subnet: s.placement.subnet,
            nodes: await c.statusReport(),
          };
        }),
      );
      if (opts.json) {
        process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
        return;
      }
      if (reports.length === 0) process.stdout.write('no clusters running\n');
      for (const r of reports) {
        process.stdout.write(
          `cluster ${r.name} run ${r.runId} ${r.subnet} owner ${r.owner ?? 'none (left up)'}\n  state file ${r.stateFile}\n`,
        );
        for (const n of r.nodes) {
          const st = n.pid
            ? `pid ${n.pid} ${n.procState === 'stopped' ? 'PAUSED' : n.procState}`
            : `down${n.down ? ` (${n.down})` : ''}`;
          process.stdout.write(
            `  ${n.name.padEnd(6)} ${n.ip.padEnd(13)} ${st.padEnd(16)} ${n.healthy ? 'healthy' : 'unhealthy'}${n.leader ? ` leader=${n.leader}` : ''}${n.revision !== undefined ? ` rev=${n.revision}` : ''} rss=${mib(n.rssBytes)}\n`,
          );
        }
      }
    });
}
