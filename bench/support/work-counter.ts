/**
 * Measures the database and queue work a pipeline run does, so the end-to-end benchmark's same-work baseline
 * can be checked against what the engine actually did rather than against what we believe it does:
 * - rows inserted, updated and deleted per table, and transactions (each autocommit statement is one), from
 *   PostgreSQL's own counters (pg_stat_user_tables, pg_stat_database) of the benchmark's database;
 * - jobs enqueued per job name with the items each carries, by wrapping a queue producer's `enqueueEach`;
 * - statements issued through a pg pool and the array sizes they carry, by wrapping `pool.query`.
 * PostgreSQL flushes a backend's counters when it goes idle (at most once a second) and when it exits: read
 * them after the run's pools are closed, and `readStable` waits until two reads agree.
 */
import { Pool, type PoolClient } from "pg";
import type { JobQueues } from "../../src/queue/job-queues";

export interface TableCounts {
  ins: number;
  upd: number;
  del: number;
}

export interface DatabaseCounts {
  tables: Record<string, TableCounts>;
  transactions: number;
}

/** The database's cumulative counters now, read until two reads 300 ms apart agree (at most ~6 s). */
export async function readStable(databaseUrl: string): Promise<DatabaseCounts> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    let previous = await readCounts(pool);
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const next = await readCounts(pool);
      if (JSON.stringify(next.tables) === JSON.stringify(previous.tables)) return next;
      previous = next;
    }
    return previous;
  } finally {
    await pool.end();
  }
}

async function readCounts(pool: Pool): Promise<DatabaseCounts> {
  const { rows } = await pool.query<{ relname: string; ins: string; upd: string; del: string }>(
    `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del FROM pg_stat_user_tables WHERE schemaname = 'public'`,
  );
  const db = await pool.query<{ xact: string }>(`SELECT xact_commit + xact_rollback AS xact FROM pg_stat_database WHERE datname = current_database()`);
  return {
    tables: Object.fromEntries(rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del) }])),
    transactions: Number(db.rows[0].xact),
  };
}

/** What changed between two reads; tables without changes are left out. */
export function countsBetween(before: DatabaseCounts, after: DatabaseCounts): DatabaseCounts {
  const tables: Record<string, TableCounts> = {};
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
    if (d.ins || d.upd || d.del) tables[name] = d;
  }
  return { tables, transactions: after.transactions - before.transactions };
}

/** Jobs of one name: how many, and how many items (event or message ids) each carried. */
export interface JobCounts {
  jobs: number;
  items: number[];
}

/** Counts every job a JobQueues enqueues from now on, by job name (the engine's producer). */
export function countEngineJobs(queues: JobQueues): Map<string, JobCounts> {
  const counts = new Map<string, JobCounts>();
  const original = queues.enqueueEach.bind(queues);
  queues.enqueueEach = (async (kind: Parameters<JobQueues["enqueueEach"]>[0], jobs: Parameters<JobQueues["enqueueEach"]>[1]) => {
    const entry = counts.get(kind) ?? { jobs: 0, items: [] };
    for (const { payload } of jobs) {
      entry.jobs++;
      entry.items.push(itemsOf(payload));
    }
    counts.set(kind, entry);
    return original(kind, jobs);
  }) as JobQueues["enqueueEach"];
  return counts;
}

/** Records one job (for producers other than the engine's). */
export function countJob(counts: Map<string, JobCounts>, kind: string, payload: unknown): void {
  const entry = counts.get(kind) ?? { jobs: 0, items: [] };
  entry.jobs++;
  entry.items.push(itemsOf(payload));
  counts.set(kind, entry);
}

function itemsOf(payload: unknown): number {
  const p = payload as { eventIds?: unknown[]; messageIds?: unknown[] };
  return p.eventIds?.length ?? p.messageIds?.length ?? 1;
}

/**
 * Statements through one pool by their first words (e.g. "WITH input AS"): how many, and their total time in
 * ms on the connection (from the client's send to the result parsed: server time, network and this process's
 * event-loop delay, not the wait for a free connection).
 */
export function countStatements(pool: Pool): Map<string, { n: number; ms: number }> {
  const counts = new Map<string, { n: number; ms: number }>();
  const wrapped = new WeakSet<object>();
  pool.on("acquire", (client: PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === "string" ? args[0] : ((args[0] as { text?: string } | null)?.text ?? "");
      const key = text.trim().replace(/\s+/g, " ").slice(0, 60);
      const entry = counts.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      counts.set(key, entry);
      const started = performance.now();
      const settle = () => (entry.ms += performance.now() - started);
      const last = args.length - 1;
      if (typeof args[last] === "function") {
        // pool.query's form: a callback, no promise.
        const callback = args[last] as (...a: unknown[]) => unknown;
        args[last] = (...a: unknown[]) => {
          settle();
          return callback(...a);
        };
      }
      const result = original(...args);
      if (result instanceof Promise) void result.then(settle, () => undefined);
      return result;
    };
  });
  return counts;
}

/** "3 × 500" style summary of job sizes. */
export function describeJobs(counts: Map<string, JobCounts>): string {
  return [...counts]
    .filter(([, c]) => c.jobs > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, { jobs, items }]) => {
      const sizes = new Map<number, number>();
      for (const n of items) sizes.set(n, (sizes.get(n) ?? 0) + 1);
      return `${kind}: ${jobs} (${[...sizes]
        .sort(([a], [b]) => b - a)
        .map(([size, n]) => `${n}×${size}`)
        .join(" ")})`;
    })
    .join("; ");
}

/** "events +10000; messages +10000 ~10000" style summary of row changes in `tables`. */
export function describeRows(counts: DatabaseCounts, tables: string[]): string {
  return tables
    .map((t) => {
      const c = counts.tables[t];
      if (!c) return `${t} 0`;
      return `${t}${c.ins ? ` +${c.ins}` : ""}${c.upd ? ` ~${c.upd}` : ""}${c.del ? ` -${c.del}` : ""}`;
    })
    .join("; ");
}
