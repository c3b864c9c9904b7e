/**
 * The engine's configuration: the only module that reads process.env.
 * Parsed once with zod and frozen, so a typo in an environment variable fails at start, not at 3 a.m.
 */
import { z } from "zod";

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Unset: the embedded database under COACH_DATA_DIR (src/db/embedded.ts).
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").optional(),
  COACH_DATA_DIR: z.string().min(1).default(".data"),
  COACH_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").default("redis://127.0.0.1:6379"),
  COACH_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  COACH_PROCESS: z.enum(["api", "worker", "all"]).default("all"),
  COACH_QUEUE_PREFIX: z.string().min(1).default("coach"),
  COACH_TOKEN_SECRET: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How long an event may sit in the outbox before the sweeper re-enqueues it. */
  COACH_SWEEP_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  COACH_SWEEP_EVERY_MS: z.coerce.number().int().positive().default(15_000),
  COACH_LEARNING_MODEL_EVERY_MS: z.coerce.number().int().positive().default(5 * 60_000),
  COACH_THROTTLE: z.enum(["on", "off"]).default("on"),
});

export type Config = Readonly<{
  port: number;
  /** null: no DATABASE_URL, so the embedded database (main.ts starts it and fills this in). */
  databaseUrl: string | null;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** Connections per process (the embedded database takes exactly 1). */
  databasePoolSize: number;
  /** How long a query waits for a free connection before failing (then: 503 "database unavailable"). */
  databaseWaitMs: number;
  redisUrl: string;
  adminKey: string | undefined;
  processRole: "api" | "worker" | "all";
  queuePrefix: string;
  tokenSecret: string | undefined;
  logLevel: string;
  sweepAfterMs: number;
  sweepEveryMs: number;
  /** How often the helpfulness gate's priors are recomputed and variants reviewed for auto-pause. */
  learningModelEveryMs: number;
  /**
   * false only for load tests and diagnosis (COACH_THROTTLE=off): caps, gap, cooldown, quiet hours and
   * backoff are not applied and the learner's delivery history is not read; preferences and expiry still are.
   */
  throttle: boolean;
}>;

/** Parses an environment (process.env by default) into a frozen Config; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.COACH_DATA_DIR,
    databasePoolSize: e.COACH_DB_POOL_SIZE,
    databaseWaitMs: 3_000,
    redisUrl: e.REDIS_URL,
    adminKey: e.COACH_ADMIN_KEY,
    processRole: e.COACH_PROCESS,
    queuePrefix: e.COACH_QUEUE_PREFIX,
    tokenSecret: e.COACH_TOKEN_SECRET,
    logLevel: e.LOG_LEVEL,
    sweepAfterMs: e.COACH_SWEEP_AFTER_MS,
    sweepEveryMs: e.COACH_SWEEP_EVERY_MS,
    learningModelEveryMs: e.COACH_LEARNING_MODEL_EVERY_MS,
    throttle: e.COACH_THROTTLE === "on",
  });
}
