/**
 * The engine's configuration: the only module that reads process.env.
 * Parsed once with zod and frozen, so a typo in an environment variable fails at start, not at 3 a.m.
 */
import { z } from "zod";

/** One seed node of REDIS_CLUSTER_NODES: `host:port`, `[v6]:port`, or a redis:// / rediss:// URL carrying credentials or TLS. */
const CLUSTER_NODE = /^(rediss?:\/\/([^@/\s]*@)?)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}\/?$/;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Unset: the embedded database under COACH_DATA_DIR (src/db/embedded.ts).
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional(),
  COACH_DATA_DIR: z.string().min(1).default(".data"),
  COACH_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  COACH_DB_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("on"),
  // Unset: the default address if a Redis answers there, else a private redis-server (src/queue/private-redis.ts).
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  /** Internal, for tests: the default address tried when REDIS_URL is unset. */
  COACH_DEFAULT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  /** `host:port,host:port,…` of a Redis Cluster: every Redis connection is then ioredis's cluster client (src/queue/connection.ts). */
  REDIS_CLUSTER_NODES: z
    .string()
    .trim()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(",")
            .map((n) => n.trim())
            .filter(Boolean)
        : [],
    )
    .refine((nodes) => nodes.every((n) => CLUSTER_NODE.test(n) && Number(/:(\d+)\/?$/.exec(n)![1]) <= 65535), "must be comma-separated host:port pairs, e.g. redis-1:7000,redis-2:7000"),
  /** How long a stopping process waits for in-flight requests and jobs before it exits anyway. */
  COACH_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  COACH_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  COACH_PROCESS: z.enum(["api", "worker", "all"]).default("all"),
  COACH_QUEUE_PREFIX: z.string().min(1).default("coach"),
  COACH_TOKEN_SECRET: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How long an event may sit in the outbox before the sweeper re-enqueues it. */
  COACH_SWEEP_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  COACH_SWEEP_EVERY_MS: z.coerce.number().int().positive().default(15_000),
  COACH_LEARNING_MODEL_EVERY_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  COACH_THROTTLE: z.enum(["on", "off"]).default("on"),
  /** Attempts per queue job; after the last one, an item failing on its own is marked failed (src/queue/isolate-failures.ts). */
  COACH_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Origins (comma-separated, e.g. https://player.example.com) whose pages may call the learner-facing endpoints. */
  COACH_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine((origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o.replace(/\/+$/, ""))), "must be comma-separated origins like https://player.example.com"),
  /** Failed authentications one client address may make per window before it gets 429 (src/auth/auth-failure-limiter.ts). */
  COACH_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  COACH_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  COACH_AUTH_FAILURE_BLOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** How long a process trusts a looked-up API key: a key revoked through another process stops working within this. */
  COACH_AUTH_KEY_CACHE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  /** Most unknown API keys a process remembers (a bounded LRU of hashes; valid keys are kept apart and never evicted by it). */
  COACH_AUTH_UNKNOWN_KEYS_REMEMBERED: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Whose X-Forwarded-For to believe: off, a hop count, or a comma list of proxy addresses/CIDRs (Express `trust proxy`). */
  COACH_TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(off|\d{1,2}|[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*)$/, "must be off, a hop count, or a comma list of addresses/CIDRs (loopback, linklocal, uniquelocal allowed)")
    .refine((v) => v !== "true" && v !== "false", "use off, a hop count or a list of proxy addresses: true would let any client forge its address")
    .default("off"),
  COACH_HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(4_096),
  COACH_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  COACH_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  COACH_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(65_000),
  COACH_HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  /** SQL segments connect as this (an operator-made read-only role); unset: the role the migrations made (src/db/segment-sandbox.ts). */
  COACH_SEGMENT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional(),
  COACH_SEGMENT_POOL_SIZE: z.coerce.number().int().min(1).max(20).default(2),
  COACH_SEGMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
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
  /**
   * Whether the hottest statements are prepared once per connection (named), so PostgreSQL parses and plans
   * them once instead of per call. Off for the embedded database (its connections share one session) and for
   * a pooler in transaction mode that does not keep prepared statements.
   */
  databasePreparedStatements: boolean;
  redisUrl: string;
  /** false when REDIS_URL is unset (redisUrl is then the default address): src/main.ts may start a private Redis. */
  redisUrlExplicit: boolean;
  /** REDIS_CLUSTER_NODES as given (seed nodes of a Redis Cluster); empty: a single Redis at redisUrl. */
  redisClusterNodes: readonly string[];
  /** COACH_SHUTDOWN_TIMEOUT_MS: a stopping process exits within this, finished or not. */
  shutdownTimeoutMs: number;
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
  /** Attempts per queue job (retried with exponential backoff from 0.5 s); the last isolates poison. */
  jobAttempts: number;
  /** Origins allowed to call the learner-facing endpoints from a browser (CORS); empty: same origin only. */
  corsOrigins: readonly string[];
  /** Failed authentications per client address: `failures` per `windowSeconds`, then 429 for `blockSeconds`. */
  authFailures: Readonly<{ failures: number; windowSeconds: number; blockSeconds: number }>;
  /** How long a looked-up API key (valid or unknown) is trusted by this process. */
  keyCacheSeconds: number;
  /** Most unknown API-key hashes a process remembers (least recently seen evicted first). */
  unknownKeysRemembered: number;
  /** Express `trust proxy`: false (the socket's address is the client), a hop count, or proxy addresses/CIDRs. */
  trustProxy: false | number | readonly string[];
  /** The HTTP server's connection cap and timeouts (src/http/server.ts). */
  http: HttpLimits;
  /** Where and how SQL segments run (src/db/segment-sandbox.ts). */
  segments: SegmentLimits;
}>;

/** SQL segments' own connections: an operator-made role's URL (null: the migrations' role), how many, how long a query may run. */
export type SegmentLimits = Readonly<{
  databaseUrl: string | null;
  poolSize: number;
  timeoutMs: number;
}>;

/** What one API process holds open and how long it waits for slow clients. */
export type HttpLimits = Readonly<{
  maxConnections: number;
  /** Complete request headers must arrive within this (slowloris, idle sockets). */
  headersTimeoutMs: number;
  /** The complete request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (above a load balancer's usual 60 s). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (streams send a keepalive every 25 s). */
  idleTimeoutMs: number;
}>;

/** Parses an environment (process.env by default) into a frozen Config; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.COACH_HTTP_HEADERS_TIMEOUT_MS > e.COACH_HTTP_REQUEST_TIMEOUT_MS) {
    throw new Error("Invalid configuration: COACH_HTTP_HEADERS_TIMEOUT_MS must not exceed COACH_HTTP_REQUEST_TIMEOUT_MS");
  }
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.COACH_DATA_DIR,
    databasePoolSize: e.COACH_DB_POOL_SIZE,
    databaseWaitMs: 3_000,
    databasePreparedStatements: e.COACH_DB_PREPARED_STATEMENTS === "on",
    redisUrl: e.REDIS_URL ?? e.COACH_DEFAULT_REDIS_URL,
    redisUrlExplicit: e.REDIS_URL !== undefined,
    redisClusterNodes: Object.freeze(e.REDIS_CLUSTER_NODES),
    shutdownTimeoutMs: e.COACH_SHUTDOWN_TIMEOUT_MS,
    adminKey: e.COACH_ADMIN_KEY,
    processRole: e.COACH_PROCESS,
    queuePrefix: e.COACH_QUEUE_PREFIX,
    tokenSecret: e.COACH_TOKEN_SECRET,
    logLevel: e.LOG_LEVEL,
    sweepAfterMs: e.COACH_SWEEP_AFTER_MS,
    sweepEveryMs: e.COACH_SWEEP_EVERY_MS,
    learningModelEveryMs: e.COACH_LEARNING_MODEL_EVERY_MS,
    throttle: e.COACH_THROTTLE === "on",
    jobAttempts: e.COACH_JOB_ATTEMPTS,
    corsOrigins: Object.freeze(e.COACH_CORS_ORIGINS),
    authFailures: Object.freeze({ failures: e.COACH_AUTH_FAILURE_LIMIT, windowSeconds: e.COACH_AUTH_FAILURE_WINDOW_SECONDS, blockSeconds: e.COACH_AUTH_FAILURE_BLOCK_SECONDS }),
    keyCacheSeconds: e.COACH_AUTH_KEY_CACHE_SECONDS,
    unknownKeysRemembered: e.COACH_AUTH_UNKNOWN_KEYS_REMEMBERED,
    trustProxy: parseTrustProxy(e.COACH_TRUST_PROXY),
    http: Object.freeze({
      maxConnections: e.COACH_HTTP_MAX_CONNECTIONS,
      headersTimeoutMs: e.COACH_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.COACH_HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.COACH_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.COACH_HTTP_IDLE_TIMEOUT_MS,
    }),
    segments: Object.freeze({ databaseUrl: e.COACH_SEGMENT_DATABASE_URL ?? null, poolSize: e.COACH_SEGMENT_POOL_SIZE, timeoutMs: e.COACH_SEGMENT_TIMEOUT_MS }),
  });
}

/** `off` → false, `2` → trust two hops, else the comma list of trusted proxy addresses (as Express's proxy-addr takes it). */
function parseTrustProxy(value: string): false | number | readonly string[] {
  if (value === "off") return false;
  if (/^\d+$/.test(value)) return Number(value);
  return Object.freeze(value.split(",").map((part) => part.trim()));
}
