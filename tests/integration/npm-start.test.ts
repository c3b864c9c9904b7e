/**
 * `npm start` as operators and new users run it: a SIGTERM sent to the npm process alone (what `timeout`,
 * `docker stop` with npm as PID 1 and most supervisors do) stops the engine; and on a machine with no Redis
 * running, the engine starts a private redis-server, works on it, and takes it down with it, even when the
 * engine itself is killed. Where redis-server is missing, one line says how to install it.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { buildEvent } from "../factories/events";
import {
  closedPort,
  deleteQueueKeys,
  descendants,
  engineEnv,
  exitWithin,
  isRunning,
  killAllSpawned,
  portAnswers,
  scratchDatabase,
  spawnEngine,
  stopAll,
  uniquePrefix,
  type EngineProcess,
} from "../setup/engine-process";
import { waitFor } from "../setup/wait-for";
import { copyMigratedEmbedded } from "../setup/embedded";

jest.setTimeout(240_000);

const ADMIN_KEY = "coach_admin_npm-start-test-key-0001";
const SHUTDOWN_TIMEOUT_MS = 8_000;
const NPM_START = ["npm", "start", "--silent"];

/** The private Redis's port and pid, from its one log line. */
async function privateRedisOf(engine: EngineProcess): Promise<{ port: number; pid: number }> {
  const line = (await engine.waitForOutput(/^.*started a private redis-server.*$/m, 120_000))[0];
  const { port, pid } = JSON.parse(line) as { port: number; pid: number };
  return { port, pid };
}

/** Runs `use` on a connection to the private Redis (its password is in its config file, readable by its owner). */
async function withPrivateRedis<T>(dataDir: string, port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const password = /^requirepass (\S+)$/m.exec(readFileSync(join(dataDir, "redis", "redis.conf"), "utf8"))![1];
  const client = new Redis({ host: "127.0.0.1", port, password, maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** A fixed-offset zone where it is about noon now, so the built-in welcome is not held for quiet hours. */
function middayZone(): string {
  const offset = new Date().getUTCHours() - 12; // Etc/GMT+N is N hours behind UTC
  return offset >= 0 ? `Etc/GMT+${offset}` : `Etc/GMT${offset}`;
}

async function welcomeDelivered(port: number, learnerId: string): Promise<void> {
  const posted = await fetch(`http://127.0.0.1:${port}/v1/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(buildEvent({ learnerId, courseId: "npm-101", type: "course.enrolled", learner: { name: "Ada Lovelace", timezone: middayZone() } })),
  });
  expect(posted.status).toBe(202);
  await waitFor(
    async () =>
      ((await (await fetch(`http://127.0.0.1:${port}/v1/learners/${learnerId}/messages`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { messages: unknown[] }).messages.length,
    (n) => n === 1,
  );
}

describe("npm start", () => {
  const database = scratchDatabase("npmstart");
  const prefix = uniquePrefix("npmstart");
  const embeddedPrefix = uniquePrefix("npmstart-emb");
  const dataDir = mkdtempSync(join(tmpdir(), "coach-npm-start-"));
  const started: EngineProcess[] = [];
  const spawned = (engine: EngineProcess) => (started.push(engine), engine);
  const base = { DATABASE_URL: database.url, COACH_QUEUE_PREFIX: prefix, COACH_ADMIN_KEY: ADMIN_KEY, COACH_DATA_DIR: dataDir, COACH_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };

  // Migrated already: these tests are about starting and stopping, not a first migration (fleet-start.test.ts).
  beforeAll(() => database.createMigrated());
  afterAll(async () => {
    await stopAll(started);
    killAllSpawned();
    await database.drop();
    await deleteQueueKeys(prefix);
    await deleteQueueKeys(embeddedPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("stops the engine when only the npm process gets SIGTERM: every process below it gone, the port free", async () => {
    const npm = spawned(spawnEngine(engineEnv({ ...base, REDIS_URL: "redis://127.0.0.1:6379" }), NPM_START));
    const port = await npm.port(120_000);
    const below = descendants(npm.pid);
    expect(below.length).toBeGreaterThan(0);

    process.kill(npm.pid, "SIGTERM"); // npm alone, not its process group
    expect(await exitWithin(npm, SHUTDOWN_TIMEOUT_MS + 5_000)).not.toBeNull();
    await waitFor(
      async () => below.filter(isRunning),
      (alive) => alive.length === 0,
      SHUTDOWN_TIMEOUT_MS + 5_000,
    );
    expect(await portAnswers(port)).toBe(false);
    expect(npm.output()).toMatch(/"msg":"stopped"/);
  });

  it("frees the embedded database's lock when only the npm process gets SIGTERM", async () => {
    const embeddedDir = mkdtempSync(join(tmpdir(), "coach-npm-start-embedded-"));
    try {
      await copyMigratedEmbedded(embeddedDir); // about stopping, not a first start: migrated already (embedded-database.test.ts creates one)
      // A prefix of its own: another database (the embedded one) may not share the others' prefix.
      const npm = spawned(
        spawnEngine(engineEnv({ ...base, DATABASE_URL: undefined, COACH_DATA_DIR: embeddedDir, REDIS_URL: "redis://127.0.0.1:6379", COACH_QUEUE_PREFIX: embeddedPrefix }), NPM_START),
      );
      const port = await npm.port(180_000);
      expect(existsSync(join(embeddedDir, "pglite.lock"))).toBe(true);

      process.kill(npm.pid, "SIGTERM");
      expect(await exitWithin(npm, SHUTDOWN_TIMEOUT_MS + 5_000)).not.toBeNull();
      await waitFor(
        async () => existsSync(join(embeddedDir, "pglite.lock")),
        (held) => !held,
        SHUTDOWN_TIMEOUT_MS + 5_000,
      );
      expect(await portAnswers(port)).toBe(false);
    } finally {
      rmSync(embeddedDir, { recursive: true, force: true });
    }
  });

  it("runs a private redis-server when REDIS_URL is unset and nothing answers at the default address, works on it, and stops it with the engine", async () => {
    const defaultPort = await closedPort();
    const npm = spawned(spawnEngine(engineEnv({ ...base, REDIS_URL: undefined, COACH_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}` }), NPM_START));
    const redis = await privateRedisOf(npm);
    expect(npm.output()).toContain(`no Redis at 127.0.0.1:${defaultPort} and REDIS_URL is unset`);
    expect(isRunning(redis.pid)).toBe(true);
    expect(descendants(npm.pid)).toContain(redis.pid);
    const port = await npm.port(120_000);
    await welcomeDelivered(port, "ada-private-redis");
    // Persistence on: delayed jobs live in this Redis.
    expect(readdirSync(join(dataDir, "redis"))).toContain("appendonlydir");
    expect(npm.output()).not.toMatch(/worker error/);

    process.kill(npm.pid, "SIGTERM");
    expect(await exitWithin(npm, SHUTDOWN_TIMEOUT_MS + 5_000)).not.toBeNull();
    await waitFor(
      async () => isRunning(redis.pid),
      (alive) => !alive,
      15_000,
    );
    expect(await portAnswers(redis.port)).toBe(false);
    expect(await portAnswers(port)).toBe(false);
    expect(existsSync(join(dataDir, "redis.lock"))).toBe(false);
  });

  it("takes its private redis-server down when the engine is killed outright, and finds its data again on the next start", async () => {
    const defaultPort = await closedPort();
    const env = engineEnv({ ...base, REDIS_URL: undefined, COACH_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`, COACH_PROCESS: "all" });
    const engine = spawned(spawnEngine(env));
    const redis = await privateRedisOf(engine);
    await engine.port(120_000);
    await withPrivateRedis(dataDir, redis.port, (client) => client.set("coach-test-marker", "kept"));

    process.kill(engine.pid, "SIGKILL");
    await engine.exited;
    await waitFor(
      async () => isRunning(redis.pid),
      (alive) => !alive,
      15_000,
    );

    // The lock its dead owner left is taken over; the same directory, the same data.
    const again = spawned(spawnEngine(env));
    const second = await privateRedisOf(again);
    expect(second.pid).not.toBe(redis.pid);
    expect(await withPrivateRedis(dataDir, second.port, (client) => client.get("coach-test-marker"))).toBe("kept");
    const port = await again.port(120_000);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    again.child.kill("SIGTERM");
    expect(await exitWithin(again, SHUTDOWN_TIMEOUT_MS + 5_000)).toEqual({ code: 0, signal: null });
    await waitFor(
      async () => isRunning(second.pid),
      (alive) => !alive,
      15_000,
    );
  });

  it("says in one line how to install Redis when redis-server is missing, and exits non-zero", async () => {
    const defaultPort = await closedPort();
    // No PATH entry holds redis-server (node itself is started by its absolute path).
    const engine = spawned(spawnEngine(engineEnv({ ...base, REDIS_URL: undefined, COACH_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`, PATH: "/nonexistent" })));
    const exit = await exitWithin(engine, 60_000);
    expect(exit?.code).toBe(1);
    const lines = engine.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/redis-server is not installed: install it \(apt-get install redis-server, or brew install redis\) or set REDIS_URL/);
  });

  it("never starts a Redis of its own when REDIS_URL is set, even to an address where nothing answers", async () => {
    const nothing = await closedPort();
    const engine = spawned(spawnEngine(engineEnv({ ...base, REDIS_URL: `redis://127.0.0.1:${nothing}`, COACH_PROCESS: "api" })));
    await engine.waitForOutput(/listening on http|failed to start/, 120_000);
    expect(engine.output()).not.toMatch(/private redis-server/);
    const commands = descendants(engine.pid).map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    expect(commands.filter((command) => /redis/.test(command))).toEqual([]);
  });
});
