/**
 * Empties every engine table but the migrations record: for tests and the simulator, never the service. The
 * database's engine identity (settings row ENGINE_ID_SETTING) survives: a queue prefix is claimed by it, and a
 * database emptied under a running engine is still that engine's database.
 */
import type { Pool } from "pg";
import { ENGINE_ID_SETTING } from "./engine-identity";

export async function emptyTables(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
  const kept = await pool.query<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [ENGINE_ID_SETTING]).catch(() => ({ rows: [] as Array<{ value: string }> }));
  if (rows.length) await pool.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
  if (kept.rows[0]) await pool.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [ENGINE_ID_SETTING, kept.rows[0].value]);
}
