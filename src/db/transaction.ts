/** Runs work in one PostgreSQL transaction on a pooled connection: COMMIT on return, ROLLBACK on throw. */
import type { Pool, PoolClient } from "pg";

/** `work` gets the transaction's client; whatever it returns is returned after COMMIT. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
