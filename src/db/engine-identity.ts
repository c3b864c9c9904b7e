/**
 * The identity of the database an engine runs on, for the queue prefix's owner record (src/queue/prefix-owner.ts):
 * a random id created once and kept in `settings` (database names repeat across servers; this id does not), and
 * the database's name, which is what a person recognizes in an error message.
 */
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";

/** The database an engine runs on: a random id kept in its `settings` table, and its name (for people). */
export interface EngineIdentity {
  engineId: string;
  database: string;
}

/** The settings row holding the id (kept by emptyTables, see src/db/empty-tables.ts). */
export const ENGINE_ID_SETTING = "engine_id";
const SETTING_KEY = ENGINE_ID_SETTING;

/** Reads the engine id, creating it on first use (processes starting at once agree: the first insert wins). */
export async function loadEngineIdentity(pool: Pool): Promise<EngineIdentity> {
  await pool.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [SETTING_KEY, randomUUID()]);
  const { rows } = await pool.query<{ value: string; database: string }>(`SELECT value, current_database() AS database FROM settings WHERE key = $1`, [SETTING_KEY]);
  return { engineId: rows[0].value, database: rows[0].database };
}
