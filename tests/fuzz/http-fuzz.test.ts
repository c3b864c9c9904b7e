/**
 * The HTTP API under a fuzzer (issue 12): generated requests at every operation of /openapi.json with every
 * credential (each role's key, a learner token, no key, a bad key), through the real server over raw sockets.
 * Every write operation × credential pair gets its own sweep; then the reads and a mixed round. Each answer
 * must be no 5xx, a problem+json for every 4xx, access decided before the body, nothing stored of what was
 * refused; afterwards the engine must still be healthy and match a valid event into a message.
 *
 * `npm test` runs about FUZZ_RUNS=1000 cases; `FUZZ_RUNS=20000 npm run fuzz` a long run (FUZZ_SEED to replay).
 */
import type { Server } from "node:http";
import fc from "fast-check";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";
import { createApiKey } from "../../src/auth/api-keys";
import { buildEvent } from "../factories/events";
import { CREDENTIALS, fuzzCase, type Credential } from "./fuzz-inputs";
import { operationsOf, type FuzzOperation } from "./fuzz-targets";
import { FIXTURES, SEEDS, validParams, validQuery, type SeedState } from "./fuzz-seeds";
import { FuzzRunner } from "./fuzz-runner";
import { expectedRefusal } from "./fuzz-oracle";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Shares of the runs: one sweep per write operation × credential, the reads, and a mixed round. */
const SHARE = { writes: 0.7, reads: 0.1, mixed: 0.2 };

describe("fuzzing every endpoint with every credential", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  let operations: FuzzOperation[];
  let runner: FuzzRunner;
  const state: SeedState = { messageId: "", otherMessageId: "", sacrificialKeyId: "" };
  const as = (role: "admin" | "author") => ({ Authorization: `Bearer ${engine.keys[role]}` });

  /** (Re)creates what path parameters and seeds refer to, where earlier cases changed or deleted it. */
  async function ensureFixtures(): Promise<void> {
    const { prisma, database } = engine.ctx;
    const missing = async (table: string, column: string, value: string) => (await database.pool.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [value])).rowCount === 0;
    for (const id of [FIXTURES.learner, FIXTURES.otherLearner]) await prisma.learner.upsert({ where: { id }, create: { id, name: "Ada Lovelace", attributes: { track: "paid" } }, update: {} });
    const post = (path: string, body: object) => engine.http.post(path).set(as("admin")).send(body);
    const variant = { key: "A", title: "Hi {{learner.firstName}}", body: "Score {{event.properties.score}}", weight: 1 };
    if (await missing("templates", "key", FIXTURES.template)) await post("/v1/templates", { key: FIXTURES.template, name: "Fuzz", kind: "nudge", variants: [variant, { ...variant, key: "B" }] });
    if (await missing("rules", "key", FIXTURES.rule))
      await post("/v1/rules", { key: FIXTURES.rule, name: "Fuzz", templateKey: FIXTURES.template, trigger: { eventType: "quiz.submitted", courseId: FIXTURES.course } });
    if (await missing("segments", "key", FIXTURES.staticSegment)) await post("/v1/segments", { key: FIXTURES.staticSegment, name: "Fuzz", type: "static" });
    if (await missing("segments", "key", FIXTURES.attributeSegment)) {
      await post("/v1/segments", { key: FIXTURES.attributeSegment, name: "Fuzz", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "paid" } });
    }
    if (await missing("segments", "key", FIXTURES.sqlSegment))
      await post("/v1/segments", { key: FIXTURES.sqlSegment, name: "Fuzz", type: "sql", sql: "SELECT learner_id FROM events WHERE type = 'quiz.submitted'" });
    if (await missing("events", "id", FIXTURES.event)) {
      await engine.http
        .post("/v1/events")
        .set("Authorization", `Bearer ${engine.keys.ingest}`)
        .send(buildEvent({ id: FIXTURES.event, learnerId: FIXTURES.learner, courseId: FIXTURES.course, type: "quiz.submitted" }));
    }
    if (await missing("event_mappings", "key", FIXTURES.mapping)) {
      await engine.http
        .put(`/v1/mappings/${FIXTURES.mapping}`)
        .set(as("admin"))
        .send({ source: "segment", match: { call: "track", event: "Quiz Submitted" }, eventType: "quiz.submitted" });
    }
    const message = (learnerId: string) => ({
      learnerId,
      courseId: FIXTURES.course,
      ruleKey: FIXTURES.rule,
      templateKey: FIXTURES.template,
      templateVersion: 1,
      variant: "A",
      status: "delivered" as const,
      title: "Your goal?",
      body: "What do you want to reach?",
      dueAt: new Date(),
      deliveredAt: new Date(),
    });
    if (!state.messageId) {
      state.messageId = "6f1e2d3c-4b5a-4697-8877-665544332211";
      state.otherMessageId = "6f1e2d3c-4b5a-4697-8877-665544332299";
      await prisma.message.create({
        data: { id: state.messageId, dedupeKey: `fuzz|${state.messageId}`, kind: "goal_prompt", responseSpec: { type: "text", maxLength: 500 }, ...message(FIXTURES.learner) },
      });
      await prisma.message.create({ data: { id: state.otherMessageId, dedupeKey: `fuzz|${state.otherMessageId}`, kind: "nudge", ...message(FIXTURES.otherLearner) } });
    }
    const sacrificial = state.sacrificialKeyId ? await prisma.apiKey.findUnique({ where: { id: state.sacrificialKeyId } }) : null;
    if (!sacrificial || sacrificial.revokedAt) state.sacrificialKeyId = (await createApiKey(prisma, { name: "fuzz sacrificial", role: "analyst" }, "fuzz")).id;
    await runner?.resync();
  }

  beforeAll(async () => {
    // Every bad key must reach the key lookup: the limiter on failed authentication has its own tests.
    engine = await startTestEngine({ env: { COACH_AUTH_FAILURE_LIMIT: "1000000" } });
    ({ server, port } = await listen(engine.app, 0, { limits: engine.ctx.config.http }));
    const token = await engine.http
      .post("/v1/learner-tokens")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send({ learnerId: FIXTURES.learner, ttlSeconds: 24 * 3600 });
    expect(token.status).toBe(201);
    operations = operationsOf((await engine.http.get("/openapi.json")).body);
    await ensureFixtures();
    const secrets: Record<Exclude<Credential, "none">, string> = { ...engine.keys, learner: token.body.token, bad: "coach_admin_fuzz0000000000000000000000000000" };
    runner = new FuzzRunner({ port, pool: engine.ctx.database.pool, secrets, state, operations });
    await runner.resync();
  });
  afterAll(async () => {
    await closeServer(server, 2_000);
    await engine.close();
  });

  /** Counterexamples of every failed sweep: the run goes on after one, so a long run reports all it finds. */
  const failures: string[] = [];
  const sweep = async (ops: FuzzOperation[], credentials: readonly Credential[], numRuns: number) => {
    if (numRuns < 1 || ops.length === 0) return;
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCase(ops, credentials, state), async (c) => void (await runner.run(c))),
        { numRuns, seed: SEED },
      );
    } catch (error) {
      const { message, cause } = error as Error & { cause?: Error };
      failures.push(`${message.split("\n").slice(0, 3).join("\n")}\n${cause?.message ?? ""}`);
    }
  };

  it("starts from seeds every operation accepts as they are (else the fuzz would only ever test the first check)", async () => {
    const refused: string[] = [];
    for (const op of operations.filter((o) => o.write && SEEDS[`${o.method} ${o.path}`])) {
      const key = `${op.method} ${op.path}`;
      const role = op.access === "public" ? "admin" : (["ingest", "author", "admin"] as const).find((r) => (op.access as readonly string[]).includes(r))!;
      await ensureFixtures();
      for (const [i, seed] of SEEDS[key].entries()) {
        const body = seed(`seed${i}-${Date.now().toString(36)}`, state);
        const path = op.path.replace(/\{([^}]+)\}/g, (_all, name: string) => encodeURIComponent(validParams(op.path, name, state)[0]));
        const query = validQuery(key, body);
        const res = await engine.http[op.method](query ? `${path}?${query}` : path)
          .set("Authorization", `Bearer ${engine.keys[role]}`)
          .set("X-Experience-API-Version", "1.0.3")
          .send(body as object);
        if (res.status >= 300) refused.push(`${key} seed ${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it(
    "answers every generated request without a 5xx, with problem+json for every 4xx, deciding access first and storing nothing it refuses",
    async () => {
      const writes = operations.filter((op) => op.write);
      // The learner stream too: an answer of text/event-stream is read up to its head (raw-exchange.ts).
      const reads = operations.filter((op) => !op.write);
      expect(writes.map((op) => `${op.method} ${op.path}`)).toEqual(expect.arrayContaining(["post /v1/events", "post /v1/batch", "post /v1/track", "post /xapi/statements", "post /caliper"]));
      // Credentials the operation admits get four times the runs: their bodies are read, the others' must not be.
      const weight = (op: FuzzOperation, credential: Credential) => (expectedRefusal(op, credential) === null ? 4 : 1);
      const totalWeight = writes.reduce((sum, op) => sum + CREDENTIALS.reduce((w, credential) => w + weight(op, credential), 0), 0);
      for (const op of writes) {
        await ensureFixtures();
        for (const credential of CREDENTIALS) await sweep([op], [credential], Math.max(1, Math.round((RUNS * SHARE.writes * weight(op, credential)) / totalWeight)));
      }
      await ensureFixtures();
      await sweep(reads, CREDENTIALS, Math.round(RUNS * SHARE.reads));
      await sweep(operations, CREDENTIALS, Math.round(RUNS * SHARE.mixed));

      const { tally } = runner;
      const statuses = [...tally.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(" ");
      console.log(`fuzz: ${tally.cases.toLocaleString("en")} cases, ${tally.fiveXX} × 5xx (${operations.length} operations, ${tally.pairs.size} operation × credential pairs; statuses ${statuses})`);
      expect(failures).toEqual([]);
      expect(tally.fiveXX).toBe(0);
      for (const op of writes) for (const credential of CREDENTIALS) expect(tally.pairs).toContain(`${op.method} ${op.path} ${credential}`);
    },
    120_000 + RUNS * 150,
  );

  it("is healthy afterwards: /healthz, /readyz, ingest on every pooled connection, and a valid event matched into a message", async () => {
    expect((await engine.http.get("/healthz")).status).toBe(200);
    expect((await engine.http.get("/readyz")).status).toBe(200);
    const ingest = `Bearer ${engine.keys.ingest}`;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        engine.http
          .post("/v1/events")
          .set("Authorization", ingest)
          .send(buildEvent({ learnerId: `after-${i}` }))
          .then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(40).fill(202));

    // The fuzz created rules of every shape (some matching every course): only the rule under test may match.
    for (const rule of (await engine.http.get("/v1/rules").set(as("admin"))).body.rules as Array<{ key: string }>) {
      await engine.http
        .delete(`/v1/rules/${encodeURIComponent(rule.key)}`)
        .set(as("admin"))
        .expect(204);
    }
    await engine.http.put("/v1/policy").set(as("author")).send({ maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null }).expect(200);
    await engine.http
      .post("/v1/templates")
      .set(as("author"))
      .send({ key: "fz-health", name: "Health", kind: "nudge", variants: [{ key: "A", title: "Hi {{learner.firstName}}", body: "Keep going", weight: 1 }] })
      .expect(201);
    await engine.http
      .post("/v1/rules")
      .set(as("author"))
      .send({ key: "fz-health", name: "Health", templateKey: "fz-health", trigger: { eventType: "quiz.submitted", courseId: "fz-health-101" } })
      .expect(201);
    await engine.startWorkers();
    const event = buildEvent({ learnerId: "fz-health-learner", courseId: "fz-health-101", type: "quiz.submitted", learner: { name: "Grace Hopper" } });
    expect((await engine.http.post("/v1/events").set("Authorization", ingest).send(event)).body).toEqual({ accepted: 1, duplicates: 0 });
    const inbox = await waitFor(
      async () => (await engine.http.get("/v1/learners/fz-health-learner/messages?courseId=fz-health-101").set("Authorization", ingest)).body.messages as Array<{ title: string; ruleKey: string }>,
      (messages) => messages?.length === 1,
    );
    expect(inbox[0]).toMatchObject({ ruleKey: "fz-health", title: "Hi Grace" });
  });
});
