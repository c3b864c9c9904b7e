/**
 * PostgreSQL refuses connections past `max_connections` (100 by default, a few of them reserved for
 * superusers), and every engine process may hold up to COACH_DB_POOL_SIZE (20 by default): five processes
 * with the default pool fill a default server, and the sixth, or a migration, or psql, is refused. A process
 * cannot know how many others will start, but it can see at start what the server allows and what is already
 * taken, and say so when its own pool would not fit, rather than failing later under load.
 *
 * The rule: processes × (COACH_DB_POOL_SIZE + COACH_SEGMENT_POOL_SIZE) ≤ max_connections − reserved − other clients.
 */
import { hostname } from "node:os";
import { Client } from "pg";
import type { Logger } from "../lib/logger";

const APPLICATION_NAME_PREFIX = "coach-engine";

/** The `application_name` of this process's pooled connections: `coach-engine <pid>@<host>` (at most 63 bytes). */
export function engineApplicationName(): string {
  return `${APPLICATION_NAME_PREFIX} ${process.pid}@${hostname()}`.slice(0, 63);
}

export interface PoolBudget {
  maxConnections: number;
  /** Slots only superusers (and, from PostgreSQL 16, pg_use_reserved_connections) may take. */
  reserved: number;
  /** Client connections open now, not counting the one that asked. */
  inUse: number;
  /** What an ordinary role can still open. */
  available: number;
  /** Other engine processes with connections open now (any database of the server), by their application_name. */
  otherEngines: number;
}

/** Reads the server's connection limit and how much of it is taken. */
export async function readPoolBudget(databaseUrl: string): Promise<PoolBudget> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ max: string; superuser: string; reserved: string | null; in_use: string; engines: string }>(
      `SELECT current_setting('max_connections') AS max,
              current_setting('superuser_reserved_connections') AS superuser,
              current_setting('reserved_connections', true) AS reserved,
              (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS in_use,
              (SELECT count(DISTINCT application_name) FROM pg_stat_activity
                WHERE application_name LIKE $1 AND application_name <> $2) AS engines`,
      [`${APPLICATION_NAME_PREFIX} %`, engineApplicationName()],
    );
    const row = rows[0];
    const maxConnections = Number(row.max);
    const reserved = Number(row.superuser) + Number(row.reserved ?? 0);
    const inUse = Number(row.in_use);
    return { maxConnections, reserved, inUse, available: Math.max(0, maxConnections - reserved - inUse), otherEngines: Number(row.engines) };
  } finally {
    await client.end();
  }
}

/** What one process may open: its pool, and the SQL segments' own small pool on the same server. */
export interface ProcessConnections {
  poolSize: number;
  segmentPoolSize: number;
}

/**
 * Warns (once, at start) when this process's connections would not fit in what the server has left; never
 * fails the start, since connections that other processes hold now may be gone by the time this one needs them.
 */
export async function checkPoolBudget(databaseUrl: string, mine: ProcessConnections, log: Logger): Promise<PoolBudget | null> {
  const budget = await readPoolBudget(databaseUrl).catch((err: Error) => {
    log.debug({ err: err.message }, "could not read the server's connection limit");
    return null;
  });
  if (!budget) return null;
  const wanted = mine.poolSize + mine.segmentPoolSize;
  const usable = budget.maxConnections - budget.reserved;
  const fleet = (budget.otherEngines + 1) * wanted;
  const rule = `Size pools so that processes × (COACH_DB_POOL_SIZE + COACH_SEGMENT_POOL_SIZE) ≤ max_connections − reserved − other clients (here ${usable} before other clients), or raise max_connections`;
  const mineText = `this process may open ${wanted} database connections (COACH_DB_POOL_SIZE=${mine.poolSize} + COACH_SEGMENT_POOL_SIZE=${mine.segmentPoolSize})`;
  if (wanted > budget.available) {
    log.warn(
      { ...mine, ...budget },
      `${mineText} but PostgreSQL allows ${budget.maxConnections} (${budget.reserved} reserved) and ${budget.inUse} are open, leaving ${budget.available}: under load it will wait for connections or be refused them. ${rule}`,
    );
  } else if (fleet > usable) {
    log.warn(
      { ...mine, ...budget },
      `${mineText}, and ${budget.otherEngines} other engine processes are connected: with pools like this one they may open ${fleet}, more than the ${usable} PostgreSQL allows (max_connections ${budget.maxConnections}, ${budget.reserved} reserved). ${rule}`,
    );
  } else {
    log.debug({ ...mine, ...budget }, "database connection budget");
  }
  return budget;
}
