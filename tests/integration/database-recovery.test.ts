/**
 * PostgreSQL crashes (`pg_ctl stop -m immediate`) and restarts under load: while it is down, starting and
 * replaying its WAL, every request that needs it answers 503 problem+json with Retry-After — never 500 (issue 12:
 * 144 × 500 in 10 s, from 57P03 "the database system is not yet accepting connections" arriving wrapped by
 * Prisma) — and the engine serves again once the server is back, without a restart of its own.
 * Runs on a private cluster (initdb + pg_ctl, its own port); the shared server is never touched.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "pg";
import { findInitdb, startPrivatePostgres, type PrivatePostgres } from "../../scripts/support/private-services";
import { PATIENCE_MS, waitFor } from "../setup/wait-for";
import { loadConfig } from "../../src/config";
import { closeEngine, createEngine, prepareDatabase } from "../../src/engine";
import type { EngineContext } from "../../src/context";
import { buildApp } from "../../src/http/app";
import { createLogger } from "../../src/lib/logger";
import { createApiKey } from "../../src/auth/api-keys";
import { isDatabaseDown } from "../../src/db/database-down";
import { describeUnlessMissing } from "../setup/describe-when";

const PORT = 55491;
const describeWithPostgres = describeUnlessMissing(findInitdb() ? null : "initdb (PostgreSQL's server binaries) is not installed");

const ROUTES = ["POST /v1/events", "GET /v1/learners/:id", "GET /v1/learners/:id/messages"] as const;

interface Answer {
  route: (typeof ROUTES)[number];
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  /** Sent after the server accepted connections again. */
  afterRecovery: boolean;
}

describeWithPostgres("when PostgreSQL crashes and recovers under load", () => {
  let pg: PrivatePostgres;
  let ctx: EngineContext;
  let server: Server;
  let url: string;
  let key: string;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    // A long checkpoint interval leaves the WAL written before each crash to be replayed at the next start.
    pg = await startPrivatePostgres(PORT, { checkpoint_timeout: "1h", max_wal_size: "4GB", shared_buffers: "16MB" });
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query("CREATE DATABASE coach");
    await admin.end();
    url = pg.url.replace(/\/postgres$/, "/coach");
    const config = loadConfig({ ...process.env, DATABASE_URL: url, COACH_QUEUE_PREFIX: `coach-recovery-${process.pid}`, LOG_LEVEL: "silent" });
    await prepareDatabase(config, createLogger("silent"));
    ctx = await createEngine(config, { log: createLogger("silent") });
    // The problem handler logs each error it turns into a 500: kept, to show them if any.
    ctx.log.error = ((obj: unknown) => void unexpected.push((obj as { err?: unknown })?.err ?? obj)) as typeof ctx.log.error;
    key = (await createApiKey(ctx.prisma, { name: "recovery", role: "ingest" }, "test")).secret;
    server = buildApp(ctx).listen(0);
    await once(server, "listening");
    await query("CREATE TABLE filler (g int, pad text)");
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (ctx) {
      await ctx.queues.obliterateAll().catch(() => undefined);
      await closeEngine(ctx).catch(() => undefined);
    }
    pg?.destroy();
  });

  async function query(sql: string): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Ingest (raw pg, through the group commit) and Prisma reads from 12 clients, until `stop` holds. */
  async function load(answers: Answer[], recovered: () => boolean, stop: () => boolean): Promise<void> {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let n = 0;
    const client = async (w: number) => {
      while (!stop()) {
        const i = n++;
        const route = ROUTES[i % 3];
        const afterRecovery = recovered();
        const res =
          route === "POST /v1/events"
            ? await fetch(`${base}/v1/events`, {
                method: "POST",
                headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
                body: JSON.stringify({ id: `rec-${Date.now()}-${i}`, type: "module.started", learnerId: `R${w}`, occurredAt: new Date().toISOString() }),
              })
            : await fetch(`${base}/v1/learners/R${w}${route.endsWith("messages") ? "/messages" : ""}`, { headers: { authorization: `Bearer ${key}` } });
        await res.arrayBuffer();
        answers.push({ route, status: res.status, retryAfter: res.headers.get("retry-after"), contentType: res.headers.get("content-type"), afterRecovery });
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, w) => client(w)));
  }

  /** Connects until the server accepts, recording the SQLSTATE (or errno) of each refusal; each must read as "down". */
  async function probeUntilAccepting(seen: Set<string>): Promise<void> {
    await waitFor(
      async () => {
        const client = new Client({ connectionString: url });
        try {
          await client.connect();
          await client.end();
          return true;
        } catch (error) {
          if (!isDatabaseDown(error)) unexpected.push(error);
          seen.add(String((error as { code?: unknown }).code ?? (error as Error).message));
          return false;
        }
      },
      (ok) => ok,
      PATIENCE_MS,
      5,
    );
  }

  it("answers 503 with Retry-After (never 500) through the crash, the restart and the recovery, then serves again", async () => {
    const seen = new Set<string>();
    const answers: Answer[] = [];
    // Crash until a connection attempt has met the recovery itself (57P03), at most 4 times.
    for (let cycle = 0; cycle < 4 && !seen.has("57P03"); cycle++) {
      await query("INSERT INTO filler SELECT g, repeat('x', 200) FROM generate_series(1, 400000) g"); // WAL to replay
      let recovered = false;
      const served = () => answers.filter((a) => a.afterRecovery && a.status < 300).length;
      const start = answers.length;
      const loading = load(
        answers,
        () => recovered,
        () => recovered && served() >= 30,
      );
      await waitFor(
        async () => answers.length - start,
        (count) => count >= 30,
      ); // the load is running against a healthy server
      await pg.stop("immediate");
      await pg.start({ wait: false });
      await probeUntilAccepting(seen);
      recovered = true;
      await loading; // ends once 30 requests succeeded after the recovery: the engine serves again by itself
    }

    expect(unexpected).toEqual([]);
    expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    for (const a of unavailable) {
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.contentType).toMatch(/application\/problem\+json/);
    }
    const byRoute = Object.fromEntries(ROUTES.map((r) => [r, answers.filter((a) => a.route === r && a.status === 503).length]));
    // Both ways into the database met the outage: raw pg (ingest's group commit) and Prisma (the learner reads).
    expect(byRoute["POST /v1/events"]).toBeGreaterThan(0);
    expect(byRoute["GET /v1/learners/:id"] + byRoute["GET /v1/learners/:id/messages"]).toBeGreaterThan(0);
    console.log(`crash recovery: ${answers.length} requests, 503 by route ${JSON.stringify(byRoute)}, 0 × 500; refusals seen while recovering: ${[...seen].join(", ")}`);
  }, 300_000);
});
