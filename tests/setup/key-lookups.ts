/**
 * Watches which secret hashes an engine asks `api_keys` about, through its pool (Prisma's adapter queries
 * through it): instrumentation, not a mock, so tests can say "no lookup for this key" without timing anything.
 * Hashes, not statements: Prisma batches the findUnique calls of one tick into one SELECT.
 */
import type { EngineContext } from "../../src/context";

export interface KeyLookupWatch {
  /** hash → how many times it was looked up */
  hashes: Map<string, number>;
  /** total lookups (a hash asked twice counts twice) */
  total(): number;
  stop(): void;
}

export function watchKeyLookups(ctx: EngineContext): KeyLookupWatch {
  const pool = ctx.database.pool;
  const query = pool.query;
  const hashes = new Map<string, number>();
  pool.query = function (config: unknown, ...rest: unknown[]) {
    const { text = "", values = [] } = typeof config === "string" ? { text: config, values: rest[0] as unknown[] | undefined } : (config as { text?: string; values?: unknown[] });
    if (/^\s*SELECT/i.test(text) && text.includes("api_keys")) {
      for (const v of values ?? []) if (typeof v === "string" && /^[0-9a-f]{64}$/.test(v)) hashes.set(v, (hashes.get(v) ?? 0) + 1);
    }
    return (query as (...args: unknown[]) => unknown).call(pool, config, ...rest);
  } as typeof pool.query;
  return { hashes, total: () => [...hashes.values()].reduce((a, b) => a + b, 0), stop: () => void (pool.query = query) };
}
