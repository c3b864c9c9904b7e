/**
 * The engine on a real Redis Cluster it starts itself (three primaries, tests/setup/redis-cluster.ts), with
 * REDIS_CLUSTER_NODES: events in, nudges delivered, the learner's stream told, /readyz ready, each queue's keys in
 * its own slot and the queues on different nodes, the failed-authentication limit counted in the cluster. And
 * the misconfiguration issue 13 saw: a single-node client (REDIS_URL) pointed at a cluster node that does not
 * own the queues' slot must say so in /readyz (503), and its workers must back off instead of spinning on MOVED.
 */
import { randomBytes } from "node:crypto";
import { get, type IncomingMessage, type Server } from "node:http";
import type { Worker } from "bullmq";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { clusterUnavailableReason, startRedisCluster, type RedisCluster } from "../setup/redis-cluster";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { closeServer, listen } from "../../src/http/server";
import { QUEUE_NAMES } from "../../src/queue/jobs";
import { queuePrefix } from "../../src/queue/connection";
import { describeUnlessMissing } from "../setup/describe-when";

const describeCluster = describeUnlessMissing(clusterUnavailableReason());

/** A prefix whose three queue hash tags land on three different primaries (slots are spread by CRC16, so some prefixes share a node). */
async function spreadingPrefix(cluster: RedisCluster): Promise<string> {
  for (;;) {
    const prefix = `coach-cluster-${randomBytes(4).toString("hex")}`;
    const owners = new Set(await Promise.all(QUEUE_NAMES.map((q) => cluster.nodeOf(queuePrefix(prefix, q, true)))));
    if (owners.size === QUEUE_NAMES.length) return prefix;
  }
}

/** Every key matching `pattern`, per primary that holds any. */
async function keysByNode(cluster: RedisCluster, pattern: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const node of cluster.nodes) {
    const client = cluster.client(node);
    try {
      const keys = await client.keys(pattern);
      if (keys.length) out.set(node, keys);
    } finally {
      client.disconnect();
    }
  }
  return out;
}

/** A minimal SSE client: the ids of the `message` events received, once the stream is open. */
function openStream(port: number, key: string, learnerId: string): Promise<{ ids: string[]; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path: `/v1/learners/${learnerId}/stream`, headers: { Authorization: `Bearer ${key}`, Accept: "text/event-stream" } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      const ids: string[] = [];
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split("\n")
              .filter((l) => !l.startsWith(":"))
              .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
          );
          if (fields.event === "message") ids.push(fields.id);
          if (fields.retry) resolve({ ids, close: () => req.destroy() });
        }
      });
    });
    req.on("error", () => undefined);
  });
}

/** A policy without gaps, a template and a rule: every `video.completed` in course cluster-101 gets one nudge. */
async function nudgeOnVideoCompleted(engine: TestEngine): Promise<void> {
  const author = `Bearer ${engine.keys.author}`;
  await engine.http.put("/v1/policy").set("Authorization", author).send({ maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null }).expect(200);
  await engine.http
    .post("/v1/templates")
    .set("Authorization", author)
    .send({ key: "shard", name: "Shard", kind: "nudge", variants: [{ key: "A", title: "Hello {{learner.firstName}}", body: "Keep going", weight: 1 }] })
    .expect(201);
  await engine.http
    .post("/v1/rules")
    .set("Authorization", author)
    .send({ key: "shard", name: "Shard", templateKey: "shard", trigger: { eventType: "video.completed", courseId: "cluster-101" } })
    .expect(201);
}

/** Posts one `video.completed` per learner. */
function postVideoCompleted(engine: TestEngine, learners: string[]) {
  return engine.http
    .post("/v1/events")
    .set("Authorization", `Bearer ${engine.keys.ingest}`)
    .send({ events: learners.map((learnerId) => buildEvent({ learnerId, courseId: "cluster-101", type: "video.completed", learner: { name: `${learnerId} Lovelace` } })) });
}

describeCluster("the engine on a real 3-node Redis Cluster (REDIS_CLUSTER_NODES)", () => {
  let cluster: RedisCluster;
  let engine: TestEngine;
  let server: Server;
  let port: number;
  let prefix: string;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    prefix = await spreadingPrefix(cluster);
    engine = await startTestEngine({ workers: true, env: { REDIS_CLUSTER_NODES: cluster.nodes.join(","), COACH_QUEUE_PREFIX: prefix, COACH_AUTH_FAILURE_LIMIT: "3" } });
    ({ server, port } = await listen(engine.app, 0));
    await nudgeOnVideoCompleted(engine);
  });

  afterAll(async () => {
    if (server) await closeServer(server);
    await engine?.close();
    await cluster?.stop();
  });

  it("uses the cluster client for the queues, and /readyz is 200 once every queue answers", async () => {
    expect(engine.ctx.queues.connection.isCluster).toBe(true);
    const ready = await waitFor(
      () => engine.http.get("/readyz"),
      (res) => res.status === 200,
    );
    expect(ready.body.checks).toMatchObject({ database: "ok", redis: "ok" });
  });

  it("takes events in, delivers their nudges and tells the learner's open stream", async () => {
    const ingest = engine.keys.ingest;
    const stream = await openStream(port, ingest, "ada");
    const learners = ["ada", ...Array.from({ length: 9 }, (_, i) => `cl-${i}`)];
    expect((await postVideoCompleted(engine, learners)).status).toBe(202);
    const delivered = await waitFor(
      () => engine.ctx.prisma.message.findMany({ where: { learnerId: { in: learners }, status: "delivered" } }),
      (rows) => rows.length === learners.length,
    );
    const adas = delivered.filter((m) => m.learnerId === "ada").map((m) => m.id);
    await waitFor(
      async () => stream.ids,
      (ids) => ids.length === 1,
    );
    expect(stream.ids).toEqual(adas);
    stream.close();
  });

  it("puts each queue's keys in one slot of its own, the queues on different primaries", async () => {
    const holders = new Set<string>();
    for (const queue of QUEUE_NAMES) {
      const queueTag = engine.ctx.queues.prefixOf(queue);
      expect(queueTag).toBe(`{${prefix}:${queue}}`);
      const byNode = await keysByNode(cluster, `${queueTag}:*`);
      // Every queue has keys by now: match and deliver ran jobs, maintenance holds its schedulers.
      expect([...byNode.keys()]).toEqual([await cluster.nodeOf(queueTag)]);
      const slots = new Set(await Promise.all([...byNode.values()].flat().map((key) => cluster.slotOf(key))));
      expect(slots).toEqual(new Set([await cluster.slotOf(queueTag)]));
      holders.add([...byNode.keys()][0]);
    }
    expect(holders.size).toBeGreaterThan(1);
    // The prefix claim lives in the engine's own tag.
    expect((await keysByNode(cluster, `{${prefix}}:engine`)).size).toBe(1);
  });

  it("counts failed authentications in the cluster and blocks the address past the limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await engine.http.get("/v1/api-keys").set("Authorization", `Bearer not-a-key-${i}-${randomBytes(8).toString("hex")}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const counted = await keysByNode(cluster, `${prefix}:auth-failures*`);
    expect([...counted.values()].flat().length).toBeGreaterThan(0); // in Redis, not only in this process's memory
  });
});

describeCluster("a single-node client (REDIS_URL) pointed at a cluster node that does not own the queues' slot", () => {
  let cluster: RedisCluster;
  let engine: TestEngine;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    const prefix = `coach-misrouted-${randomBytes(4).toString("hex")}`;
    const owner = await cluster.nodeOf(`{${prefix}}`);
    const elsewhere = cluster.nodes.find((n) => n !== owner)!;
    engine = await startTestEngine({ env: { REDIS_URL: `redis://${elsewhere}`, COACH_QUEUE_PREFIX: prefix } });
  });

  afterAll(async () => {
    await engine?.close();
    await cluster?.stop();
  });

  it("is not ready, and /readyz says what to set instead of a raw MOVED", async () => {
    const res = await engine.http.get("/readyz");
    expect(res.status).toBe(503);
    expect(res.body.checks.redis).toMatch(/^REDIS_URL names a node of a Redis Cluster \(it answered MOVED\): set REDIS_CLUSTER_NODES/);
    expect(res.body.detail).toContain("set REDIS_CLUSTER_NODES");
  });

  it("backs its workers off instead of retrying MOVED in a tight loop", async () => {
    const workers = await engine.startWorkers();
    let errors = 0;
    for (const worker of workers.workers as Worker[]) worker.on("error", () => errors++);
    // Three workers, each pausing 1 s, 2 s, 4 s … after an error (a fetch and a stalled check may each report
    // one): the 12th error comes after more than two seconds. Without backoff the same dozen took milliseconds
    // (issue 13: 111,931 in 20 s).
    const started = Date.now();
    await waitFor(
      async () => errors,
      (n) => n >= 12,
    );
    expect(Date.now() - started).toBeGreaterThan(2_000);
    expect(errors).toBeLessThan(30);
  });
});

describeCluster("a primary of the cluster killed and restarted empty while events arrive", () => {
  let cluster: RedisCluster;
  let engine: TestEngine;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    const prefix = await spreadingPrefix(cluster);
    engine = await startTestEngine({
      workers: true,
      env: { REDIS_CLUSTER_NODES: cluster.nodes.join(","), COACH_QUEUE_PREFIX: prefix, COACH_SWEEP_AFTER_MS: "2000", COACH_SWEEP_EVERY_MS: "1000" },
    });
    await nudgeOnVideoCompleted(engine);
    await waitFor(
      () => engine.http.get("/readyz"),
      (res) => res.status === 200,
    );
  });

  afterAll(async () => {
    await engine?.close();
    await cluster?.stop();
  });

  it("fails /readyz while the delivery queue's shard is down, keeps taking events, and delivers every one exactly once after it returns", async () => {
    const deliverNode = await cluster.nodeOf(engine.ctx.queues.prefixOf("deliver"));
    const before = ["k-0", "k-1", "k-2"];
    expect((await postVideoCompleted(engine, before)).status).toBe(202);
    await waitFor(
      () => engine.ctx.prisma.message.count({ where: { learnerId: { in: before }, status: "delivered" } }),
      (n) => n === before.length,
    );

    await cluster.kill(deliverNode);
    const down = await waitFor(
      () => engine.http.get("/readyz"),
      (res) => res.status === 503,
    );
    expect(down.body.checks.redis).toMatch(/^(unreachable|not answering within \d+ ms)$/);
    const during = Array.from({ length: 8 }, (_, i) => `k-down-${i}`);
    expect((await postVideoCompleted(engine, during)).status).toBe(202); // the outbox has them; the sweeper enqueues later

    await cluster.restart(deliverNode); // back with its slots, without its data: the deliver queue is empty
    await waitFor(
      () => engine.http.get("/readyz"),
      (res) => res.status === 200,
    );
    const after = ["k-after-0", "k-after-1"];
    expect((await postVideoCompleted(engine, after)).status).toBe(202);

    const everyone = [...before, ...during, ...after];
    await waitFor(
      () => engine.ctx.prisma.message.count({ where: { learnerId: { in: everyone }, status: "delivered" } }),
      (n) => n === everyone.length,
    );
    const perLearner = await engine.ctx.prisma.message.groupBy({ by: ["learnerId"], where: { learnerId: { in: everyone } }, _count: true });
    expect(perLearner.map((row) => row._count).sort()).toEqual(everyone.map(() => 1));
  });
});
