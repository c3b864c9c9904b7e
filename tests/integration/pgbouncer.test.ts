/**
 * Ingest behind a real PgBouncer in transaction mode (Debian's, 1.18: no prepared-statement support) with
 * COACH_DB_PREPARED_STATEMENTS left on, the mistake an operator will make: each call may land on another server
 * connection, where ingest's statement name is unknown (26000) or taken by another client (42P05). The first
 * such refusal switches the process to unnamed statements; nothing is lost. A private PgBouncer on a port of its
 * own, in front of this worker's test database; where PgBouncer is missing the file says so and skips
 * (`.ci/run` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { Client, Pool } from "pg";
import { GroupCommitter } from "../../src/ingest/group-commit";
import { recordEvents } from "../../src/ingest/record-events";
import { freePort } from "../../src/lib/free-port";
import { normalizedStatements } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { describeUnlessMissing } from "../setup/describe-when";

const PGBOUNCER = "/usr/sbin/pgbouncer";

const describeWithPgBouncer = describeUnlessMissing(existsSync(PGBOUNCER) ? null : `${PGBOUNCER} is missing (apt-get install -y pgbouncer; .ci/run installs it)`);

describeWithPgBouncer("ingest behind PgBouncer in transaction mode, prepared statements left on", () => {
  const target = new URL(process.env.DATABASE_URL!);
  const dir = mkdtempSync(join(tmpdir(), "coach-pgbouncer-"));
  let bouncer: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    writeFileSync(join(dir, "users.txt"), '"postgres" ""\n');
    writeFileSync(
      join(dir, "pgbouncer.ini"),
      [
        "[databases]",
        `* = host=${target.hostname} port=${target.port || 5432}`,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        `listen_port = ${port}`,
        "auth_type = trust",
        `auth_file = ${join(dir, "users.txt")}`,
        "pool_mode = transaction",
        "default_pool_size = 3",
        "max_client_conn = 100",
        "ignore_startup_parameters = extra_float_digits,options",
        `unix_socket_dir = ${dir}`,
      ].join("\n"),
    );
    // PgBouncer refuses to run as root: as the postgres OS user then, which must be able to read its files.
    const asRoot = userInfo().uid === 0;
    if (asRoot) {
      const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
      for (const file of ["", "users.txt", "pgbouncer.ini"]) chownSync(join(dir, file), id("-u"), id("-g"));
    }
    const [command, args] = asRoot ? ["runuser", ["-u", "postgres", "--", PGBOUNCER, join(dir, "pgbouncer.ini")]] : [PGBOUNCER, [join(dir, "pgbouncer.ini")]];
    bouncer = spawn(command, args, { stdio: "ignore" });
    url = `postgresql://postgres@127.0.0.1:${port}${target.pathname}`;
    await waitFor(
      async () => {
        const client = new Client({ connectionString: url });
        try {
          await client.connect();
          await client.query("SELECT 1");
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      (up) => up,
    );
  });

  afterAll(async () => {
    bouncer?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (prefix: string) => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM events e JOIN event_sources s USING (id) WHERE e.id LIKE $1 || '-%'", [prefix])).rows[0].n;
    } finally {
      await client.end();
    }
  };

  it("breaks named statements: without the fallback, concurrent calls are refused (the pooler is really in the way)", async () => {
    const pool = new Pool({ connectionString: url, max: 8 });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, () => {
          const events = normalizedStatements("pgb-raw", 20, { courseId: "pgb-101", learners: 13 });
          return recordEvents(pool, events, new Date(), { exclusive: new Set(events.map((e) => e.id)), prepared: true });
        }),
      );
      const codes = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { code?: string }).code] : []));
      expect(codes.length).toBeGreaterThan(0);
      expect(new Set(codes)).toEqual(new Set(codes.filter((c) => c === "26000" || c === "42P05")));
    } finally {
      await pool.end();
    }
  });

  it("stores every group through the group commit, switching to unnamed statements and saying so once", async () => {
    const pool = new Pool({ connectionString: url, max: 8 });
    const told: unknown[] = [];
    try {
      const committer = new GroupCommitter(pool, async () => undefined, { preparedStatements: true, onUnnamed: (error) => told.push(error) });
      const answers = await Promise.all(
        Array.from({ length: 120 }, () => committer.record(normalizedStatements("pgb-commit", 20, { courseId: "pgb-101", learners: 13 }), new Date(), { exclusive: true })),
      );
      expect(answers.every((a) => a.acceptedIds.length === 20 && a.duplicates === 0)).toBe(true);
      expect(told).toHaveLength(1);
      expect(["26000", "42P05"]).toContain((told[0] as { code?: string }).code);
      expect(await stored("pgb-commit")).toBe(120 * 20);
    } finally {
      await pool.end();
    }
  });
});
