/**
 * One pg connection per client process, with every wait bounded: a partitioned or paused
 * server must turn into an error (recorded as `info`), never a hang.
 */
import pg from 'pg';

export interface PgTarget {
  host: string;
  port: number;
  user?: string;
  database?: string;
  /** Node name recorded on ops (`op.node`). */
  node?: string;
}

export interface PgTimeouts {
  /** TCP connect + startup handshake (pg `connectionTimeoutMillis`). */
  connectMs: number;
  /** Server-side cancel (`statement_timeout`): fires when the server is reachable but slow. */
  statementMs: number;
  /** Client-side give-up (`query_timeout`): fires when the server is unreachable or stopped. */
  queryMs: number;
  /** Server drops transactions left open by a client that vanished (partition, kill). */
  idleInTransactionMs: number;
}

export const DEFAULT_PG_TIMEOUTS: PgTimeouts = {
  connectMs: 2000,
  statementMs: 2000,
  queryMs: 3000,
  idleInTransactionMs: 5000,
};

/** A connected client; `broken` is set once the socket errored or was destroyed. */
export interface PgConn {
  client: pg.Client;
  broken: boolean;
  lastError?: Error;
}

export async function connectPg(
  target: PgTarget,
  timeouts: PgTimeouts,
  applicationName = 'faultline',
): Promise<PgConn> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user ?? 'postgres',
    database: target.database ?? 'postgres',
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
    application_name: applicationName,
  });
  const conn: PgConn = { client, broken: false };
  // Without a listener an idle connection's socket error would crash the process.
  client.on('error', (err) => {
    conn.broken = true;
    conn.lastError = err;
  });
  client.on('end', () => {
    conn.broken = true;
  });
  try {
    await client.connect();
  } catch (err) {
    destroyPg(conn);
    throw err;
  }
  return conn;
}

/**
 * Drops the socket without the goodbye handshake: `client.end()` waits for the server, which
 * never answers when it is partitioned or paused. After a client-side query timeout the
 * connection is still busy with the abandoned query, so it must not be reused anyway.
 */
export function destroyPg(conn: PgConn): void {
  conn.broken = true;
  conn.client.connection.stream.destroy();
}
