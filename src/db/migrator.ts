/**
 * Applies the hand-written migrations in prisma/migrations, in name order, each in its own transaction,
 * under an advisory lock so concurrent starts cannot both migrate. Records each in `_prisma_migrations`
 * exactly as Prisma does (sha256 checksum of migration.sql), so `prisma migrate deploy` elsewhere agrees.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";

// Any constant works; it only has to be the same for every process of this engine.
const MIGRATION_LOCK_ID = 72_017_001;
const CREATE_DATABASE_LOCK_ID = 72_017_003;

export const MIGRATIONS_DIR = join(__dirname, "..", "..", "prisma", "migrations");

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Lists migration folder names in the order they apply. */
export function listMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
}

/** Applies every migration not yet recorded; returns what it did. Throws on a changed, applied migration. */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    for (const name of listMigrations(dir)) {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const recorded = done.get(name);
      if (recorded !== undefined) {
        if (recorded !== checksum) throw new Error(`Migration ${name} was changed after it was applied (checksum differs)`);
        result.alreadyApplied.push(name);
        continue;
      }
      await applyOne(client, name, sql, checksum);
      result.applied.push(name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
  return result;
}

async function applyOne(client: Client, name: string, sql: string, checksum: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), checksum, name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
  }
}

/**
 * Creates the database named in the URL when it does not exist (connecting to the `postgres` database).
 * A fleet starting at once on a fresh server races here: the check and the CREATE run under an advisory lock
 * (on the `postgres` database, so every process of any engine takes the same one), and whoever still loses
 * (a tool creating it outside the lock) gets the outcome it wanted: "already exists" is 42P04, or 23505 when
 * the two CREATEs met on pg_database's unique index.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  url.pathname = "/postgres";
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [CREATE_DATABASE_LOCK_ID]);
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "42P04" || code === "23505") return false;
    throw error;
  } finally {
    await client.end(); // ends the session, and with it the advisory lock
  }
}
