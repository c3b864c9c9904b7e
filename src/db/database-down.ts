/** Recognizes "PostgreSQL is unreachable" among the many shapes pg and Prisma give that failure. */

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH"]);
// SQLSTATE class 08 (connection exception), 57P0x (admin shutdown, crash shutdown, cannot connect now).
const SQLSTATE_DOWN = /^(08...|57P0[123])$/;
const MESSAGE_DOWN = /(connect ECONNREFUSED|Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|the database system is (starting up|shutting down))/i;

/** True when an error means the database cannot be reached now (as opposed to a bad query). */
export function isDatabaseDown(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const err = e as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    if (typeof err.code === "string" && (NETWORK_CODES.has(err.code) || SQLSTATE_DOWN.test(err.code) || err.code === "P1001")) return true;
    if (typeof err.originalCode === "string" && SQLSTATE_DOWN.test(err.originalCode)) return true;
    if (typeof err.message === "string" && MESSAGE_DOWN.test(err.message)) return true;
    e = err.cause;
  }
  return false;
}
