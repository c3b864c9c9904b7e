/** Runs work in one PostgreSQL transaction: COMMIT on return, ROLLBACK on throw. */
import type { Pool, PoolClient } from "pg";

/** `work` gets the transaction's pooled client; whatever it returns is returned after COMMIT. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, work);
  } finally {
    client.release();
  }
}

/** The same on a client the caller holds (e.g. one with a session temporary table); `readOnly` begins READ ONLY. */
export async function inTransaction<T>(client: PoolClient, work: (client: PoolClient) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  await client.query(options.readOnly ? "BEGIN TRANSACTION READ ONLY" : "BEGIN");
  try {
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
