/**
 * The embedded database, used when DATABASE_URL is not set: PostgreSQL itself (PGlite, compiled to
 * WebAssembly) inside this process, its files under the data directory, served on a loopback port over the
 * PostgreSQL wire protocol, so the engine talks to it exactly as to a server: same SQL, same migrations, same
 * pg driver and Prisma adapter.
 *
 * PGlite is a single session, so the engine holds exactly one connection to it: statements of different
 * callers never interleave inside one another's transaction, temporary table or extended-protocol exchange.
 * Right for trying the engine, development and a small course; a PostgreSQL server (DATABASE_URL) for
 * anything bigger, and for running the API and the workers as separate processes (one process at a time may
 * open a data directory). Not available here: cancelling a statement, so a SQL segment's statement timeout;
 * and a second login, so SQL segments run in the engine's session, guarded by the SQL checker (segment-sandbox.ts).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Config } from "../config";
import { acquirePidLock } from "../lib/pid-lock";

export interface EmbeddedDatabase {
  /** A postgresql:// URL on 127.0.0.1 for this process's connections. */
  url: string;
  /** Where its files are. */
  directory: string;
  stop(): Promise<void>;
}

/** Opens (creating on first use) the database under `dataDir`/pglite and serves it on a free loopback port. */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const directory = resolve(dataDir, "pglite");
  mkdirSync(directory, { recursive: true });
  const unlock = lockDirectory(directory);
  const db = await PGlite.create(directory).catch((error: unknown) => {
    unlock();
    throw error;
  });
  // A few connections may be open at once (the migrator's closing while the pool's opens); the engine uses one.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 4 });
  await server.start();
  const port = server.getServerConn().split(":").pop();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    directory,
    async stop() {
      await server.stop();
      await db.close();
      unlock();
    },
  };
}

/**
 * PGlite does not guard its files: two processes writing one directory would corrupt it. A lock file holding
 * the owner's pid keeps a second one out with a clear message; a lock left by a process that died is taken over.
 */
function lockDirectory(directory: string): () => void {
  return acquirePidLock(
    join(directory, "..", "pglite.lock"),
    (owner) => new Error(`the embedded database in ${directory} is in use by process ${owner}; stop it, or set DATABASE_URL to share a PostgreSQL server between processes`),
  );
}

/**
 * The configuration as the engine should run it: unchanged with DATABASE_URL; otherwise pointing at the
 * embedded database, started now, with one connection that queries wait for as long as a statement may take,
 * and no named statements: the socket server runs every connection in PGlite's one session, where a name
 * prepared by a connection that closed would still be taken.
 */
export async function withDatabase(config: Config): Promise<{ config: Config; url: string; embedded: EmbeddedDatabase | null }> {
  if (config.databaseUrl !== null) return { config, url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedDatabase(config.dataDir);
  const url = embedded.url;
  return { config: Object.freeze({ ...config, databaseUrl: url, databasePoolSize: 1, databaseWaitMs: 120_000, databasePreparedStatements: false }), url, embedded };
}
