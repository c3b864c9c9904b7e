/**
 * SIGTERM on an engine under keep-alive load, as a deploy or an autoscaler does it: every request sent before
 * the signal is answered (no resets), keep-alive clients are told `Connection: close`, the process exits
 * within COACH_SHUTDOWN_TIMEOUT_MS, and every event it acknowledged is in the database. Clients reach it through
 * a proxy adding network latency, and the signal is sent just after a request was written on an idle keep-alive
 * socket: a server that closes "idle" sockets at once resets that request.
 */
import { Agent, request } from "node:http";
import { Client } from "pg";
import { buildEvent } from "../factories/events";
import { deleteQueueKeys, engineEnv, exitWithin, killAllSpawned, scratchDatabase, spawnEngine, uniquePrefix, type EngineProcess } from "../setup/engine-process";
import { startLatencyProxy, type LatencyProxy } from "../setup/latency-proxy";
import { PATIENCE_MS, waitFor } from "../setup/wait-for";

jest.setTimeout(180_000);

const ADMIN_KEY = "coach_admin_shutdown-test-key-0001";
const SHUTDOWN_TIMEOUT_MS = 8_000;
const CLIENTS = 16;
/** Client → server latency: requests written just before the signal are still on their way when it comes. */
const NETWORK_DELAY_MS = 25;

interface Sent {
  eventId: string;
  sentAt: number;
  status?: number;
  error?: string;
  connectionClose?: boolean;
}

/** One POST /v1/events of one event on a keep-alive agent; never rejects. */
function post(agent: Agent, port: number, sent: Sent): Promise<void> {
  const body = JSON.stringify(buildEvent({ id: sent.eventId, learnerId: `L-${sent.eventId.slice(-3)}` }));
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/events",
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), Authorization: `Bearer ${ADMIN_KEY}` },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          sent.status = res.statusCode;
          sent.connectionClose = res.headers.connection === "close";
          resolve();
        });
        res.on("error", (error) => {
          sent.error = (error as NodeJS.ErrnoException).code ?? error.message;
          resolve();
        });
      },
    );
    req.on("error", (error) => {
      sent.error = (error as NodeJS.ErrnoException).code ?? error.message;
      resolve();
    });
    req.end(body);
  });
}

async function storedIds(url: string, ids: string[]): Promise<Set<string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM events WHERE id = ANY($1)", [ids]);
    return new Set(rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

describe("stopping an engine under keep-alive load", () => {
  let engine: EngineProcess | undefined;
  let proxy: LatencyProxy | undefined;
  const database = scratchDatabase("shutdown");
  const prefix = uniquePrefix("shutdown");

  // Migrated already: the test is about stopping, not a first migration (fleet-start.test.ts).
  beforeAll(() => database.createMigrated());
  afterAll(async () => {
    killAllSpawned();
    await proxy?.close();
    await database.drop();
    await deleteQueueKeys(prefix);
  });

  it("answers every request sent before SIGTERM, tells keep-alive clients to close, exits within the timeout, and stores every acknowledged event", async () => {
    engine = spawnEngine(
      engineEnv({
        DATABASE_URL: database.url,
        COACH_QUEUE_PREFIX: prefix,
        COACH_ADMIN_KEY: ADMIN_KEY,
        COACH_PROCESS: "all",
        COACH_DB_POOL_SIZE: "6",
        COACH_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      }),
    );
    proxy = await startLatencyProxy(await engine.port(120_000), NETWORK_DELAY_MS);
    const port = proxy.port;
    const running = engine;

    const sent: Sent[] = [];
    let signalledAt = Infinity;
    let warmedUp = false;
    let done = false;
    void running.exited.then(() => (done = true));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const agents = Array.from({ length: CLIENTS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    let n = 0;
    const clients = agents.map(async (agent, c) => {
      // Each client posts until its requests fail after the signal (refused: nothing listens any more).
      while (!done) {
        const one: Sent = { eventId: `evt-shutdown-${c}-${n++}`, sentAt: performance.now() };
        sent.push(one);
        const answered = post(agent, port, one);
        if (c === 0 && warmedUp && signalledAt === Infinity) {
          // The worst moment: a request written on a keep-alive socket the server sees idle, still on the wire
          // when the signal comes.
          await new Promise((r) => setImmediate(r));
          signalledAt = performance.now();
          running.child.kill("SIGTERM");
        }
        await answered;
        if (one.error && one.sentAt > signalledAt) break;
        // Half the clients pause between requests, so that their keep-alive sockets are idle now and then.
        if (c % 2 === 0) await sleep(c === 0 && warmedUp ? 30 : Math.random() * 20);
      }
    });

    await waitFor(
      async () => sent.filter((s) => s.status === 202).length,
      (count) => count >= 400,
    );
    warmedUp = true;
    await waitFor(
      async () => signalledAt,
      (at) => at < Infinity,
      PATIENCE_MS,
      5,
    );
    const exit = await exitWithin(running, SHUTDOWN_TIMEOUT_MS + 20_000);
    const stoppedAfterMs = performance.now() - signalledAt;
    done = true;
    await Promise.all(clients);
    for (const agent of agents) agent.destroy();

    expect(exit).not.toBeNull();
    expect(stoppedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000); // the deadline, plus the process's own exit
    expect(exit).toEqual({ code: 0, signal: null });

    const beforeSignal = sent.filter((s) => s.sentAt < signalledAt);
    const unanswered = beforeSignal.filter((s) => s.status !== 202);
    expect(unanswered).toEqual([]);
    expect(sent.filter((s) => (s.status ?? 0) >= 500)).toEqual([]);
    // The requests in flight at the signal were answered with Connection: close (their clients then reconnect elsewhere).
    expect(sent.filter((s) => s.status === 202 && s.connectionClose).length).toBeGreaterThanOrEqual(1);

    const acknowledged = sent.filter((s) => s.status === 202).map((s) => s.eventId);
    const stored = await storedIds(database.url, acknowledged);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(running.output()).toMatch(/"msg":"stopped"/);
  });

  it("ends open learner streams at once and exits well before the deadline when nothing else is running", async () => {
    const streamDatabase = scratchDatabase("shutdown_sse");
    const streamPrefix = uniquePrefix("shutdown-sse");
    await streamDatabase.createMigrated();
    const timeoutMs = 20_000;
    const api = spawnEngine(
      engineEnv({ DATABASE_URL: streamDatabase.url, COACH_QUEUE_PREFIX: streamPrefix, COACH_ADMIN_KEY: ADMIN_KEY, COACH_PROCESS: "api", COACH_SHUTDOWN_TIMEOUT_MS: String(timeoutMs) }),
    );
    try {
      const port = await api.port(120_000);
      const key = (await (
        await fetch(`http://127.0.0.1:${port}/v1/api-keys`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${ADMIN_KEY}` },
          body: JSON.stringify({ name: "player", role: "ingest" }),
        })
      ).json()) as { secret: string };
      const agent = new Agent({ keepAlive: true });
      const streams = await Promise.all(
        ["L1", "L2", "L3"].map(
          (learnerId) =>
            new Promise<{ ended: Promise<void> }>((opened, failed) => {
              const req = request({ host: "127.0.0.1", port, path: `/v1/learners/${learnerId}/stream`, agent, headers: { Authorization: `Bearer ${key.secret}` } }, (res) => {
                expect(res.statusCode).toBe(200);
                res.resume();
                opened({ ended: new Promise<void>((ended) => res.on("end", () => ended()).on("error", () => ended())) });
              });
              req.on("error", failed);
              req.end();
            }),
        ),
      );
      const signalledAt = performance.now();
      api.child.kill("SIGTERM");
      await Promise.all(streams.map((stream) => stream.ended)); // every stream ended by the server
      const exit = await exitWithin(api, timeoutMs + 5_000);
      expect(exit).toEqual({ code: 0, signal: null });
      // Streams and idle sockets do not hold the process to its deadline: ended, then closed after the short grace.
      expect(performance.now() - signalledAt).toBeLessThan(timeoutMs / 2);
      agent.destroy();
    } finally {
      api.killAll();
      await streamDatabase.drop();
      await deleteQueueKeys(streamPrefix);
    }
  });
});
