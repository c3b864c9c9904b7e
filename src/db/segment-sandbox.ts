/**
 * Where SQL segments run: connections of their own, logged in as a role that can only read the analyst
 * relations (created by the migration 20261202010000_segment_sandbox, or by an operator), in a small pool of
 * their own, so refreshes queue behind each other and never hold the connections ingest needs. Each
 * connection is checked once (superuser, role memberships, write or extra read privileges: refused) and
 * reset with DISCARD ALL before it is reused, so nothing one query does to its session reaches the next.
 *
 * On the embedded database there is one session, shared with the engine, and no second login: `mode()` is
 * "session" there, and callers run the query on the engine's connection under SET LOCAL ROLE instead, with
 * the SQL checker (src/segments/segment-sql-check.ts) as the guard.
 */
import { Pool, type PoolClient } from "pg";
import { DependencyUnavailableError } from "../lib/errors";
import { ANALYST_SCHEMA, ANALYST_TABLES } from "./analyst-relations";
import { isDatabaseDown } from "./database-down";

export interface SegmentSandboxOptions {
  /** COACH_SEGMENT_DATABASE_URL: an operator-made role. null: the role the migrations made, from coach_private. */
  url: string | null;
  /** Connections (COACH_SEGMENT_POOL_SIZE): at most this many segment queries run at once per process. */
  poolSize: number;
  /** The statement timeout of segment queries (COACH_SEGMENT_TIMEOUT_MS), also the connection's default. */
  timeoutMs: number;
}

export type SandboxMode = "role" | "session";

/** The role the embedded database's single session switches to (migration 20261124020000_segment_reader). */
export const SESSION_READER_ROLE = "coach_segment_reader";

/** Per query, in the sandbox's connections (the role's own defaults, set by the migration, are the same). */
const WORK_MEM = "32MB";

const LOGIN_FAILED = new Set(["28P01", "28000"]);
const TOO_MANY_CONNECTIONS = new Set(["53300", "53400"]);

/** SQL segments' own connections for one engine process; nothing is opened until the first segment query. */
export class SegmentSandbox {
  private opened: Promise<{ mode: SandboxMode; pool: Pool | null }> | null = null;
  private pool: Pool | null = null;
  private readonly checked = new WeakSet<PoolClient>();
  private closed = false;
  private repairTried = false;

  constructor(
    private readonly engine: Pool,
    private readonly engineUrl: string,
    private readonly options: SegmentSandboxOptions,
  ) {}

  /** "session" on the embedded database (one session: no second login), "role" on a PostgreSQL server. */
  async mode(): Promise<SandboxMode> {
    return (await this.open()).mode;
  }

  /**
   * Runs `work` on a sandbox connection (mode "role" only), waiting in line when all are busy; the session is
   * rolled back and reset (DISCARD ALL) before the connection goes back to the pool, or dropped if that fails.
   */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await work(client);
    } finally {
      await resetSession(client);
    }
  }

  /** Closes the sandbox's own connections (the engine's pool is closed by its owner). */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  private open(): Promise<{ mode: SandboxMode; pool: Pool | null }> {
    this.opened ??= this.decide().catch((error: unknown) => {
      this.opened = null; // not remembered: the next query tries again (the database may be back)
      throw error;
    });
    return this.opened;
  }

  private async decide(): Promise<{ mode: SandboxMode; pool: Pool | null }> {
    if (this.closed) throw new Error("the segment sandbox is closed");
    if (this.options.url === null) {
      const { rows } = await this.engine.query<{ version: string }>("SELECT version() AS version");
      if (/PGlite|emscripten/i.test(rows[0]?.version ?? "")) return { mode: "session", pool: null };
    }
    const url = this.options.url ?? (await this.storedLoginUrl());
    if (this.closed) throw new Error("the segment sandbox is closed");
    this.pool = this.createPool(url);
    return { mode: "role", pool: this.pool };
  }

  /** The engine's URL with the user and password the migration recorded in coach_private. */
  private async storedLoginUrl(): Promise<string> {
    const { rows } = await this.engine.query<{ role_name: string; password: string }>(`SELECT role_name, password FROM coach_private.segment_sandbox_login ORDER BY created_at LIMIT 1`);
    if (!rows[0]) {
      throw unavailable(
        "SQL segments have no database role: the engine's database user could not create one (it needs CREATEROLE). " +
          "An operator creates it and sets COACH_SEGMENT_DATABASE_URL (README, 'SQL segment sandbox')",
      );
    }
    const url = new URL(this.engineUrl);
    url.username = encodeURIComponent(rows[0].role_name);
    url.password = encodeURIComponent(rows[0].password);
    return url.toString();
  }

  private createPool(url: string): Pool {
    const pool = new Pool({
      connectionString: url,
      max: this.options.poolSize,
      // Waiting in line behind other refreshes is expected; waiting past a few of their timeouts is not.
      connectionTimeoutMillis: Math.max(60_000, 4 * this.options.timeoutMs),
      idleTimeoutMillis: 30_000,
      application_name: "coach-segments",
      options: [
        `-c statement_timeout=${this.options.timeoutMs}`,
        `-c work_mem=${WORK_MEM}`,
        "-c default_transaction_read_only=on",
        "-c search_path=public",
        `-c idle_in_transaction_session_timeout=${Math.max(60_000, 2 * this.options.timeoutMs)}`,
        "-c jit=off",
      ].join(" "),
    });
    pool.on("error", () => undefined); // an idle connection losing its server: the pool replaces it
    return pool;
  }

  private async connect(): Promise<PoolClient> {
    const { mode, pool } = await this.open();
    if (mode !== "role" || !pool) throw new Error("the segment sandbox has no connections of its own on the embedded database");
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      if (!this.mayRepair(error)) throw describeConnectFailure(error);
      client = await this.repairAndConnect();
    }
    if (!this.checked.has(client)) {
      try {
        await checkRole(client);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      this.checked.add(client);
    }
    return client;
  }

  /** A login the migration made failed: its password was changed, or a restore into another cluster lost the role. */
  private mayRepair(error: unknown): boolean {
    if (this.repairTried || this.options.url !== null || !LOGIN_FAILED.has((error as { code?: string }).code ?? "")) return false;
    this.repairTried = true;
    return true;
  }

  /** The engine's user re-creates the role with the stored password (once per process), then connects anew. */
  private async repairAndConnect(): Promise<PoolClient> {
    try {
      await this.engine.query("SELECT coach_private.ensure_segment_sandbox()");
    } catch (error) {
      if (isDatabaseDown(error)) throw error;
      throw unavailable("SQL segments cannot log in as their database role, and the engine's user cannot repair it (README, 'SQL segment sandbox')");
    }
    const old = this.pool;
    const pool = this.createPool(await this.storedLoginUrl());
    this.pool = pool;
    this.opened = Promise.resolve({ mode: "role", pool });
    void old?.end().catch(() => undefined);
    try {
      return await pool.connect();
    } catch (error) {
      throw describeConnectFailure(error);
    }
  }
}

/** A failed connect as the caller should see it: busy (all connections taken), cannot log in, or as it was. */
function describeConnectFailure(error: unknown): unknown {
  const code = (error as { code?: string }).code ?? "";
  if (TOO_MANY_CONNECTIONS.has(code) || /timeout exceeded when trying to connect/.test(String((error as Error)?.message))) {
    return unavailable("segment queries are all busy; try again shortly", 30);
  }
  if (LOGIN_FAILED.has(code)) return unavailable("SQL segments cannot log in as their database role (README, 'SQL segment sandbox')");
  return error;
}

function unavailable(message: string, retryAfterSeconds = 5): DependencyUnavailableError {
  return new DependencyUnavailableError("database", message, retryAfterSeconds);
}

async function resetSession(client: PoolClient): Promise<void> {
  try {
    await client.query("ROLLBACK");
    await client.query("DISCARD ALL");
    client.release();
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error))); // destroyed, never reused
  }
}

interface RoleCheck {
  role: string;
  superuser: boolean;
  privileged: boolean;
  member_of: string[];
  extra: string[];
}

/**
 * Refuses a sandbox login that is more than a reader: a superuser, a role with CREATEROLE/CREATEDB/REPLICATION/
 * BYPASSRLS, a member of any role (SET ROLE could leave the sandbox), or one that may write any table or read
 * one that is not an analyst relation. Catches COACH_SEGMENT_DATABASE_URL pointing at the engine's own user.
 */
async function checkRole(client: PoolClient): Promise<void> {
  const { rows } = await client.query<RoleCheck>(
    `SELECT r.rolname::text AS role, r.rolsuper AS superuser,
            (r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls) AS privileged,
            ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of,
            ARRAY(SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                     AND n.nspname !~ '^pg_(toast|temp)'
                     AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                          OR (has_table_privilege(c.oid, 'SELECT')
                              AND NOT (n.nspname = $2 OR (n.nspname = 'public' AND c.relname = ANY($1::text[])))))
                   ORDER BY 1 LIMIT 5) AS extra
       FROM pg_roles r WHERE r.rolname = current_user`,
    [ANALYST_TABLES, ANALYST_SCHEMA],
  );
  const role = rows[0];
  const problem = !role
    ? "is unknown"
    : role.superuser
      ? "is a superuser"
      : role.privileged
        ? "may create roles or databases, replicate or bypass row security"
        : role.member_of.length
          ? `is a member of ${role.member_of.join(", ")} (SET ROLE would leave the sandbox)`
          : role.extra.length
            ? `may write or read more than the analyst relations (${role.extra.join(", ")})`
            : null;
  if (problem) {
    throw unavailable(`SQL segments are disabled: their database role ${role?.role ?? ""} ${problem}; it must only read the analyst relations (README, 'SQL segment sandbox')`, 60);
  }
}
