/**
 * PostgreSQL errors that stores expect, turned into the engine's typed errors in ONE place (STYLE 20): a
 * unique violation means "that key already exists" whichever path raised it — pg directly (SQLSTATE 23505),
 * Prisma (P2002), or Prisma's driver adapter wrapping pg's error — so every store answers 409 the same way,
 * and a store that forgets to check first still cannot turn a concurrent create into a 500.
 */
import { ConflictError } from "../lib/errors";

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** True when `error` (or what it wraps) is a unique-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift() as ErrorLike | null | undefined;
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e.code === "23505" || e.code === "P2002" || e.originalCode === "23505" || e.kind === "UniqueConstraintViolation") return true;
    queue.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

/**
 * Runs a write whose uniqueness the database decides; a unique violation becomes ConflictError(`message`).
 * The database is the arbiter (STYLE 10): of N concurrent creates of one key exactly one commits.
 */
export async function conflictOnDuplicate<T>(work: () => Promise<T>, message: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(message);
    throw error;
  }
}
