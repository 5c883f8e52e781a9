/**
 * Placement: where a cluster's nodes live and how they are made and torn down. One per backend:
 * netns (a namespace per node on a per-run bridge, this machine), ssh (machines the user owns,
 * listed in the definition: nothing is created, only Faultline's own files and processes),
 * docker (a user-defined bridge network and one container per node from a local image).
 *
 * Everything above this layer (the cluster, system drivers, the nemesis) sees a node only as a
 * name, an address and a Remote (src/control/remote.ts); it never learns which backend it is.
 *
 * Contract, for every backend:
 * - `plan` computes and reserves (subnet locks...) but creates nothing. Its PlacementRecord is
 *   plain JSON; the cluster writes it to the state file BEFORE calling `create`, so a crash at
 *   any later point leaves enough on disk to undo everything.
 * - `create` builds what the record names (network, namespaces/containers, node directories)
 *   and returns the record with what only creation tells (a container id) filled in; the
 *   caller writes it before doing anything else. A failed `create` leaves nothing that the
 *   record does not name, so `destroy` removes it.
 * - `open(record)` works on a fresh process after a crash of Faultline: from the record alone
 *   it gives working Remotes (ssh reconnects, docker finds the containers by id/name).
 * - `destroy` is idempotent and works from the record alone: it kills every process Faultline
 *   started on the nodes (by the ProcessRefs the caller passes, and for netns/docker anything
 *   left inside what the placement made), removes what `create` made, releases what `plan`
 *   reserved. On ssh it removes only Faultline's work directory and processes, never the host.
 * - Addresses: `nodes[i].ip` is what peers and clients use; `clientIp` is the address the nodes
 *   see this machine's clients come from (a client partition drops exactly that address).
 * - Paths: each node has a `workDir` ON THE NODE standing in for the definition's `{runDir}`
 *   (netns: the local run directory itself; ssh: `<ssh.workDir>/<runId>`; docker: a directory
 *   in the container). Logs are copied to the local run directory by `collectLogs`, which is a
 *   no-op where the node's files are already local (`filesAreLocal`).
 * - Secrets in the definition (keys, passphrases) never enter the record or any log.
 */
import type { ClusterDefinition } from '../definition.js';
import type { ProcessRef, Remote, RemoteKind } from '../control/remote.js';
import type { Logger } from '../log.js';

export type Backend = RemoteKind;

/** One node as placed: serializable; `where` holds the backend's own identifiers. */
export interface PlacedNode {
  name: string;
  /** The address peers and clients use for this node. */
  ip: string;
  /** The directory on the node that the definition's `{runDir}` means for this node. */
  workDir: string;
  /**
   * Backend identifiers: netns `{ netns, vethHost }`; ssh `{ host, port }`; docker
   * `{ container, containerId? }`. Opaque to everything but the backend.
   */
  where: Record<string, string | number>;
}

/** What a placement made or reserved, written to the cluster state file before `create`. */
export interface PlacementRecord {
  backend: Backend;
  /** The address the nodes see clients (this machine) come from. */
  clientIp: string;
  /** e.g. "10.77.3.0/24" (netns, docker); "" where the user's network has no single subnet. */
  subnet: string;
  nodes: PlacedNode[];
  /**
   * Backend resources beyond the nodes: netns `{ bridge, subnetLock }`, docker
   * `{ network, networkId?, socket }`, ssh `{}`.
   */
  resources: Record<string, string | number>;
}

export interface PlanContext {
  runId: string;
  /** The local run directory (results/<test>/<time>/ or the cluster's own). */
  runDir: string;
  /** Faultline's state dir (/run/faultline). */
  stateDir: string;
  /** The cluster's state file (written before `create`; locks name it as their owner). */
  stateFile: string;
  /** The definition file, for resolving relative paths (ssh keys, known_hosts). */
  definitionFile?: string;
  logger?: Logger;
}

/** A live placement: built from a record (fresh or read back after a crash). */
export interface Placement {
  readonly backend: Backend;
  readonly record: PlacementRecord;
  /** Whether node paths are paths on this machine (netns): logs need no copying. */
  readonly filesAreLocal: boolean;
  /** Builds what the record names. Returns the record, possibly with ids filled in. */
  create(): Promise<PlacementRecord>;
  /** The node's Remote (one per node, cached; reconnects where the backend can). */
  remote(node: string): Remote;
  /** Copies node log files to this machine; a no-op when `filesAreLocal`. */
  collectLogs(logs: { node: string; remotePath: string; localPath: string }[]): Promise<void>;
  /**
   * Removes everything the record names; kills `processes` (started by Faultline through the
   * nodes' Remotes) first. Idempotent. Leaves local logs alone.
   */
  destroy(processes: readonly ProcessRef[]): Promise<DestroyReport>;
  /** Closes Remotes (connections); processes and the placement itself stay. */
  close(): Promise<void>;
}

export interface DestroyReport {
  /** What was killed, as `node:pid`. */
  killed: string[];
  /** What was removed: namespace, container, network, work directory names. */
  removed: string[];
}

/** A backend: how to plan a placement and how to open one from its record. */
export interface PlacementBackend {
  readonly backend: Backend;
  plan(def: ClusterDefinition, ctx: PlanContext): Promise<PlacementRecord>;
  /** Releases what `plan` reserved when `create` never ran (state file write failed). */
  release(record: PlacementRecord, ctx: PlanContext): void;
  open(record: PlacementRecord, ctx: PlanContext): Placement;
  /**
   * Things named like Faultline's (namespaces, containers, networks) that no record in `known`
   * describes; `remove` deletes them. For `faultline cluster down --orphans`. Optional.
   */
  orphans?(known: readonly PlacementRecord[], opts: { remove: boolean }): Promise<string[]>;
}
