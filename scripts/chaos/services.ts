/**
 * The services a chaos run owns: a redis-server and a PostgreSQL cluster on ports of their own, started and
 * killed by the suite (scripts/support/private-services.ts). Never the machine's shared Redis or PostgreSQL: the
 * faults here (SIGKILL, SIGSTOP, an empty restart, pg_ctl stop) would take down whatever else uses them.
 */
import { freePort } from "../../src/lib/free-port";
import { findInitdb, redisServerAvailable, startPrivatePostgres, type PrivatePostgres } from "../support/private-services";

export { startPrivateRedis as startRedis } from "../support/private-services";

/** Whether redis-server and PostgreSQL's initdb/pg_ctl exist here (the suite needs both). */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!redisServerAvailable()) missing.push("redis-server");
  if (!findInitdb()) missing.push("PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin)");
  return missing;
}

/** The suite's PostgreSQL, on a free port: room for every engine's pool, and commits that do not wait for the WAL. */
export async function startPostgres(): Promise<PrivatePostgres> {
  return startPrivatePostgres(await freePort(), { max_connections: "300", synchronous_commit: "off" });
}
