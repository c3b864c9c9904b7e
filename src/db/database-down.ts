/**
 * Recognizes "PostgreSQL is unavailable right now" among the many shapes pg and Prisma give that failure, so
 * every such request answers 503 with Retry-After instead of 500. Shapes seen while a real server crashed
 * (`pg_ctl stop -m immediate`) and recovered, under load (tests/integration/database-recovery.test.ts):
 * - pg: ECONNREFUSED while it is down; 57P01 "terminating connection due to immediate shutdown command" and
 *   "Connection terminated unexpectedly" on connections open at the crash; 57P03 "the database system is not
 *   yet accepting connections" / "is starting up" / "is in recovery mode" while it replays its WAL; the pool's
 *   "timeout exceeded when trying to connect";
 * - Prisma (through @prisma/adapter-pg): PrismaClientKnownRequestError whose `meta.driverAdapterError.cause`
 *   carries the pg code (57P03 arrives as P2039 with kind "postgres"), or a kind such as DatabaseNotReachable.
 */

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);
/**
 * SQLSTATE class 08 (connection exception); 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
 * now (starting up, recovering, shutting down); 53300 too many connections (the server is full, for now).
 */
const SQLSTATE_DOWN = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Prisma's codes for the same: can't reach, timed out, operation timed out, connection closed, pool timeout, too many connections. */
const PRISMA_DOWN = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** @prisma/driver-adapter-utils error kinds meaning the same. */
const ADAPTER_KINDS_DOWN = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const MESSAGE_DOWN = new RegExp(
  [
    "connect ECONNREFUSED",
    "Connection terminated",
    "timeout exceeded when trying to connect",
    "Can't reach database server",
    "Server has closed the connection",
    "Client has encountered a connection error and is not queryable",
    "the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)",
    "terminating connection due to (administrator command|immediate shutdown|crash of another server process|unexpected postmaster exit)",
    "sorry, too many clients already",
  ].join("|"),
  "i",
);

/** Errors reachable from `error` that may hold the real reason: causes, Prisma's adapter error, AggregateError members. */
function* related(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 32) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    yield e;
    const err = e as { cause?: unknown; meta?: { driverAdapterError?: unknown }; errors?: unknown };
    queue.push(err.cause, err.meta?.driverAdapterError);
    if (Array.isArray(err.errors)) queue.push(...err.errors);
  }
}

/** True when an error means the database cannot be reached now (as opposed to a bad query). */
export function isDatabaseDown(error: unknown): boolean {
  for (const e of related(error)) {
    const err = e as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; originalMessage?: unknown };
    if (typeof err.code === "string" && (NETWORK_CODES.has(err.code) || SQLSTATE_DOWN.test(err.code) || PRISMA_DOWN.has(err.code))) return true;
    if (typeof err.originalCode === "string" && SQLSTATE_DOWN.test(err.originalCode)) return true;
    if (typeof err.kind === "string" && ADAPTER_KINDS_DOWN.has(err.kind)) return true;
    if (typeof err.message === "string" && MESSAGE_DOWN.test(err.message)) return true;
    if (typeof err.originalMessage === "string" && MESSAGE_DOWN.test(err.originalMessage)) return true;
  }
  return false;
}
