/**
 * What every scenario shares: the run's private PostgreSQL and Redis, a fresh database and queue prefix per
 * scenario, the engines it spawned (stopped afterwards, whatever happened), the content that turns events into
 * messages, load clients, waiting for the backlog to drain, and the row the scenario adds to the table.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Pool } from "pg";
import { spawnEngine, stopEngines, type EngineProcess, type SpawnOptions } from "./engine-process";
import { LoadClient, type LoadOptions } from "./load-client";
import { countDelivered, tally, type Tally } from "./ledger";
import type { PrivatePostgres, PrivateRedis } from "../support/private-services";

export interface ChaosOptions {
  /** How long Redis and PostgreSQL stay down or frozen (CHAOS_OUTAGE_SECONDS). */
  outageSeconds: number;
  /** Load before and after a fault (CHAOS_LOAD_SECONDS). */
  loadSeconds: number;
  /** Events per batch and senders per load client. */
  batchSize: number;
  concurrency: number;
  pauseMs: number;
  /** How long the backlog may take to drain after the load stops before what is left counts as lost. */
  drainSeconds: number;
}

export interface Check {
  label: string;
  ok: boolean;
}

export interface ScenarioResult {
  name: string;
  tally: Tally;
  status5xx: number;
  /** ms from the end of the fault until ingest answered 2xx and everything acknowledged before it was delivered. */
  recoverMs: number | null;
  checks: Check[];
  durationMs: number;
  error?: string;
}

export interface Scenario {
  id: string;
  title: string;
  run(bench: Bench): Promise<Omit<ScenarioResult, "durationMs" | "name">>;
}

/** The content every scenario uses: one template, a rule per event type (chaos.now at once, chaos.later 2 s later). */
export const RULES = [
  { key: "chaos-now", eventType: "chaos.now", delaySeconds: 0, priority: 10 },
  { key: "chaos-later", eventType: "chaos.later", delaySeconds: 2, priority: 10 },
] as const;

/** A third of the load goes through a delayed delivery (a job Redis holds until it is due). */
export const mixedTypes = (n: number) => (n % 3 === 2 ? "chaos.later" : "chaos.now");

export class Bench {
  readonly runId = randomUUID().slice(0, 8);
  readonly adminKey = `chaos-admin-${randomBytes(16).toString("hex")}`;
  private readonly engines: EngineProcess[] = [];
  private readonly pools: Pool[] = [];

  constructor(
    readonly pg: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly options: ChaosOptions,
    readonly logDir: string,
    readonly log: (line: string) => void,
  ) {}

  /** A database name no other scenario uses (the engines create it) and a queue prefix of its own. */
  fresh(label: string): { database: string; url: string; prefix: string } {
    const database = `chaos_${label}_${this.runId}`.replace(/[^a-z0-9_]/g, "_");
    return { database, url: this.pg.databaseUrl(database), prefix: `chaos-${label}-${this.runId}` };
  }

  /** A pool to the scenario's database (reconnects after a PostgreSQL restart); closed with the scenario. */
  pool(url: string): Pool {
    const pool = new Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000 });
    pool.on("error", () => undefined);
    this.pools.push(pool);
    return pool;
  }

  spawn(options: Omit<SpawnOptions, "logDir" | "redisUrl"> & { redisUrl?: string }): EngineProcess {
    const engine = spawnEngine({ redisUrl: this.redis.url, ...options, logDir: this.logDir, name: `${options.name}-${this.runId}` });
    this.engines.push(engine);
    return engine;
  }

  /**
   * Starts API and worker processes on the scenario's database and queue prefix (with the run's admin key), all at
   * once, and waits until every one serves; the APIs' URLs in the order of `api`.
   */
  async startFleet(scope: { url: string; prefix: string }, names: { api: string[]; worker: string[] }): Promise<{ apis: EngineProcess[]; workers: EngineProcess[]; urls: string[] }> {
    const spawn = (name: string, role: "api" | "worker") => this.spawn({ name, role, databaseUrl: scope.url, prefix: scope.prefix, adminKey: this.adminKey });
    const apis = names.api.map((name) => spawn(name, "api"));
    const workers = names.worker.map((name) => spawn(name, "worker"));
    const urls = await Promise.all(apis.map((a) => a.url()));
    await Promise.all([...apis, ...workers].map((e) => e.ready()));
    return { apis, workers, urls };
  }

  load(options: Omit<LoadOptions, "concurrency" | "batchSize" | "pauseMs" | "apiKey"> & Partial<Pick<LoadOptions, "concurrency" | "batchSize" | "pauseMs" | "apiKey">>): LoadClient {
    return new LoadClient({ concurrency: this.options.concurrency, batchSize: this.options.batchSize, pauseMs: this.options.pauseMs, apiKey: this.adminKey, typeOf: mixedTypes, ...options });
  }

  /** Policy that never holds a message back, the template, and the rules (through `baseUrl`, as an author would). */
  async prepareContent(baseUrl: string, apiKey = this.adminKey, rules: ReadonlyArray<{ key: string; eventType: string; delaySeconds: number; priority: number }> = RULES): Promise<void> {
    const call = async (method: string, path: string, body: unknown, expected: number[]) => {
      const res = await fetch(new URL(path, baseUrl), { method, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    };
    await call("PUT", "/v1/policy", { maxPerDay: 1_000_000, maxPerWeek: 1_000_000, minGapMinutes: 0, quietHours: null }, [200]);
    await call("POST", "/v1/templates", { key: "chaos", name: "Chaos", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hi {{learner.firstName}}", weight: 1 }] }, [201, 409]);
    for (const rule of rules) {
      await call(
        "POST",
        "/v1/rules",
        { key: rule.key, name: rule.key, templateKey: "chaos", delaySeconds: rule.delaySeconds, priority: rule.priority, trigger: { eventType: rule.eventType, courseId: "chaos-101" } },
        [201, 409],
      );
    }
  }

  /** Waits until each of `ids` has a delivered message and nothing of the run is still scheduled, or the drain time is up. */
  async drain(db: Pool, ids: string[], sent: string[] = ids): Promise<boolean> {
    const deadline = Date.now() + this.options.drainSeconds * 1_000;
    for (;;) {
      try {
        const delivered = await countDelivered(db, ids);
        const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE event_id = ANY($1) AND status = 'scheduled'`, [sent]);
        if (delivered === ids.length && Number(rows[0].n) === 0) return true;
      } catch {
        // the database may still be coming back
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * Time to recover, measured from `faultEnd`: until ingest answered 2xx again and every event acknowledged
   * before then has been delivered. Runs beside the load; resolves null when that never happens within the drain time.
   */
  watchRecovery(db: Pool, load: LoadClient, faultEnd: number): Promise<number | null> {
    const before = load.acknowledgedBefore(faultEnd);
    return (async () => {
      const deadline = faultEnd + (this.options.loadSeconds + this.options.drainSeconds) * 1_000;
      let deliveredAt: number | null = null;
      while (Date.now() < deadline) {
        try {
          if ((await countDelivered(db, before)) === before.length) {
            deliveredAt = Date.now();
            break;
          }
        } catch {
          // not back yet
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      for (;;) {
        const acked = load.firstAckAfter(faultEnd);
        if (deliveredAt === null) return null;
        if (acked !== null) return Math.max(deliveredAt, acked) - faultEnd;
        if (Date.now() > deadline) return null;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  /**
   * What follows a fault, from the moment it ends: recovery watched beside the load, which goes on for half the
   * load time and stops; then the backlog drains. Resolves with the time to recover (null: it never did).
   */
  async afterFault(db: Pool, load: LoadClient): Promise<number | null> {
    const recovery = this.watchRecovery(db, load, Date.now());
    await hold(this.options.loadSeconds * 500);
    await load.stop();
    await this.drain(db, load.acknowledged(), load.sentIds());
    return recovery;
  }

  tally = tally;

  /** Stops every engine this scenario started and closes its pools. */
  async cleanup(): Promise<void> {
    await stopEngines(this.engines.splice(0));
    await Promise.all(this.pools.splice(0).map((p) => p.end().catch(() => undefined)));
  }
}

/** Sleeps `ms` (for the shape of a scenario — how long a fault lasts — never for correctness). */
export const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
