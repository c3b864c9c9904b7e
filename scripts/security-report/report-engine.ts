/**
 * The engine the security report attacks, as operators run it: `src/main.ts` (migrations, built-ins, API and
 * workers in one process) in a child process of its own, on a database of its own, with the event-loop probe
 * preloaded. Gives the port, a key per role (made through the API by the configured admin key), and the
 * probe's figures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Client } from "pg";
import { loadConfig } from "../../src/config";
import type { EngineContext } from "../../src/context";
import { closeEngine, createEngine } from "../../src/engine";
import { createLogger } from "../../src/lib/logger";
import type { LoopDelay } from "./loop-delay-probe";

export type Role = "ingest" | "author" | "analyst" | "admin";

export interface ReportEngine {
  port: number;
  base: string;
  keys: Record<Role, string>;
  databaseUrl: string;
  /** Its BullMQ prefix, whose Redis keys the report deletes when done. */
  queuePrefix: string;
  /** Starts (or restarts) the named loop-delay measurement. */
  resetDelay(name: string): Promise<void>;
  /** Every measurement's figures so far ("overall" runs from the engine's start). */
  delay(): Promise<Record<string, LoopDelay>>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, "..", "..");

/** Removes a report database and its SQL-segment role (the engine's migrator creates both). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // The SQL-segment login role is cluster-wide and named after its database (see the segment sandbox migration).
    await admin.query(`DROP ROLE IF EXISTS "coach_segments_${name}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

/** Starts the engine on `databaseUrl` (created by its migrator) with `env` on top of the defaults. */
export async function startReportEngine(databaseUrl: string, env: Record<string, string> = {}): Promise<ReportEngine> {
  const adminKey = `coach_admin_report-${randomBytes(12).toString("hex")}`;
  const queuePrefix = `security-report-${process.pid}-${randomBytes(3).toString("hex")}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "--import", join(__dirname, "loop-delay-probe.ts"), "src/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      LOG_LEVEL: "info",
      COACH_ADMIN_KEY: adminKey,
      COACH_QUEUE_PREFIX: queuePrefix,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-64_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine did not start within 120 s:\n${output.slice(-4000)}`)), 120_000);
    const look = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", look);
    child.once("exit", (code) => reject(new Error(`the engine exited with ${code}:\n${output.slice(-4000)}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const keys = { admin: adminKey } as Record<Role, string>;
  for (const role of ["ingest", "author", "analyst"] as const) {
    const res = await fetch(`${base}/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `report ${role}`, role }),
    });
    if (res.status !== 201) throw new Error(`could not create the ${role} key: ${res.status} ${await res.text()}`);
    keys[role] = ((await res.json()) as { secret: string }).secret;
  }
  const ask = <T>(message: string, answer: string) =>
    new Promise<T>((resolve) => {
      const listener = (m: unknown) => {
        if ((m as { probe?: string })?.probe !== answer) return;
        child.off("message", listener);
        resolve(m as T);
      };
      child.on("message", listener);
      child.send(message);
    });
  return {
    port,
    base,
    keys,
    databaseUrl,
    queuePrefix,
    async resetDelay(name) {
      await ask(`reset:${name}`, `reset:${name}`);
    },
    delay: async () => (await ask<{ figures: Record<string, LoopDelay> }>("report", "report")).figures,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `fn` with an engine context of this process on the report engine's database and queue prefix (for
 * fixtures written as the engine would); never the default prefix, which a developer's own engine owns.
 */
export async function withEngineContext<T>(engine: Pick<ReportEngine, "databaseUrl" | "queuePrefix">, fn: (ctx: EngineContext) => Promise<T>): Promise<T> {
  const env = { ...process.env, DATABASE_URL: engine.databaseUrl, COACH_QUEUE_PREFIX: engine.queuePrefix, COACH_PROCESS: "api", LOG_LEVEL: "silent" };
  const ctx = await createEngine(loadConfig(env), { log: createLogger("silent") });
  try {
    return await fn(ctx);
  } finally {
    await closeEngine(ctx);
  }
}
