/**
 * The database handles: one pg.Pool shared by the Prisma client (through @prisma/adapter-pg) and by the
 * few hot paths that speak SQL directly (bulk ingest, analytics views), so both see the same connections.
 */
import { Pool } from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { SegmentSandbox, type SegmentSandboxOptions } from "./segment-sandbox";
import { engineApplicationName } from "./pool-budget";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  pool: Pool;
  /** Whether named (prepared once per connection) statements may be used on `pool` (Config.databasePreparedStatements). */
  preparedStatements: boolean;
  /** Where SQL segments run: connections of their own as a read-only role (opened on first use). */
  segments: SegmentSandbox;
  close(): Promise<void>;
}

const DEFAULT_SEGMENT_SANDBOX: SegmentSandboxOptions = { url: null, poolSize: 2, timeoutMs: 30_000 };

/** Opens a pool and a Prisma client on it. `max` bounds connections per process; `waitMs` a query's wait for one. */
export function openDatabase(url: string, options: { max?: number; waitMs?: number; preparedStatements?: boolean; segments?: SegmentSandboxOptions } = {}): Database {
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 20,
    connectionTimeoutMillis: options.waitMs ?? 3_000,
    idleTimeoutMillis: 30_000,
    // JIT off: the engine's statements are short batched lookups and writes (unnest of 500 ids with correlated
    // index probes) whose cost estimates cross jit_above_cost, and compiling them with LLVM then takes ~25 ms,
    // several times the query itself (a delivery-state read of 500 learners: 35 ms with JIT, 10 ms without).
    options: "-c jit=off",
    // One name per process: operators see whose connections they are, and a starting process counts the fleet (pool-budget.ts).
    application_name: engineApplicationName(),
  });
  // An idle client losing its server emits here; without a listener it would crash the process.
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const segments = new SegmentSandbox(pool, url, options.segments ?? DEFAULT_SEGMENT_SANDBOX);
  return {
    prisma,
    pool,
    preparedStatements: options.preparedStatements ?? true,
    segments,
    async close() {
      await segments.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
