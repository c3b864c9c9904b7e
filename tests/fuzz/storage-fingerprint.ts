/**
 * A cheap fingerprint of everything the engine stores, to show that a refused request stored nothing: per
 * table its row count and the newest row version (`xmin`), which any insert or update raises and any delete
 * lowers the count of. One query over every table of the schema, so a table added tomorrow is watched too.
 * `api_keys` is hashed instead, without `last_used_at`, which the engine writes off the request's path.
 */
import type { Pool } from "pg";

/** Columns a background writer may change at any time, by table: left out of the fingerprint. */
const VOLATILE: Record<string, string[]> = { api_keys: ["last_used_at"] };
/**
 * Bookkeeping no request's data lands in: content revisions are bumped by a statement-level trigger even when
 * a statement touched no row (a DELETE of a missing key), which only costs the caches a reload.
 */
const UNWATCHED = new Set(["content_revisions"]);

export interface StorageWatch {
  /** Table → "count/newest version". */
  read(): Promise<Map<string, string>>;
}

/** Builds the fingerprint query for the database's current tables. */
export async function watchStorage(pool: Pool): Promise<StorageWatch> {
  const { rows } = await pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename`);
  const parts = rows
    .filter(({ tablename }) => !UNWATCHED.has(tablename))
    .map(({ tablename }) => {
      const table = `"${tablename.replace(/"/g, '""')}"`;
      const name = tablename.replace(/'/g, "''");
      const volatile = VOLATILE[tablename];
      const version = volatile ? `coalesce(sum(hashtextextended((to_jsonb(x) - '{${volatile.join(",")}}'::text[])::text, 0)), 0)::text` : `coalesce(max(x.xmin::text::bigint), 0)::text`;
      return `SELECT '${name}' AS t, count(*)::text || '/' || ${version} AS f FROM ${table} x`;
    });
  const sql = parts.join(" UNION ALL ");
  return {
    async read() {
      const result = await pool.query<{ t: string; f: string }>(sql);
      return new Map(result.rows.map((r) => [r.t, r.f]));
    },
  };
}

/** The tables whose fingerprint differs, with before → after. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [table, value] of after) if (before.get(table) !== value) changed.push(`${table} ${before.get(table)} → ${value}`);
  return changed;
}

/** Rows of `table` in a fingerprint. */
export function rowCount(fingerprint: Map<string, string>, table: string): number {
  return Number((fingerprint.get(table) ?? "0/").split("/")[0]);
}
