import { Worker, UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { ManualClock } from "../../src/lib/clock";
import { sweepOutbox } from "../../src/maintenance/sweep-outbox";

/**
 * Job ids that cannot collide with kept jobs. BullMQ ignores an add whose id exists in any state, completed and
 * failed jobs included: an id must name exactly the work that must not be queued twice, or a re-add of work that
 * still needs doing silently does nothing.
 */

/** Ids of the items every waiting, delayed or active job of a queue holds (one entry per holding job). */
async function heldIds(engine: TestEngine, queue: "match" | "deliver"): Promise<string[]> {
  const jobs = await engine.ctx.queues.queue(queue).getJobs(["waiting", "delayed", "active", "prioritized"]);
  return jobs.flatMap((j) => {
    const data = j.data as { eventIds?: string[]; eventId?: string; messageIds?: string[]; messageId?: string };
    return data.eventIds ?? data.messageIds ?? [data.eventId ?? data.messageId ?? ""];
  });
}

describe("a message deferred again while its own delayed job runs", () => {
  // Time is the engine's manual clock; a delayed job's wait in Redis is played out by promoting it once the clock
  // has reached its due time. The sweeper is idle (1 h period), so whatever is delivered was delivered by its job.
  const t0 = Date.now();
  const clock = new ManualClock(t0);
  let engine: TestEngine;
  const as = (role: "author" | "ingest") => `Bearer ${engine.keys[role]}`;

  beforeAll(async () => {
    engine = await startTestEngine({ clock, workers: true, env: { COACH_SWEEP_EVERY_MS: "3600000", COACH_SWEEP_AFTER_MS: "3600000" } });
    expect((await engine.http.put("/v1/policy").set("Authorization", as("author")).send({ maxPerDay: 100, maxPerWeek: 100, minGapMinutes: 1, quietHours: null })).status).toBe(200);
    expect(
      (
        await engine.http
          .post("/v1/templates")
          .set("Authorization", as("author"))
          .send({ key: "gap", name: "Gap", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hi", weight: 1 }] })
      ).status,
    ).toBe(201);
    expect(
      (
        await engine.http
          .post("/v1/rules")
          .set("Authorization", as("author"))
          .send({ key: "gap", name: "Gap", templateKey: "gap", trigger: { eventType: "gap.tick", courseId: "g-101" } })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => engine.close());

  const messages = () => engine.ctx.prisma.message.findMany({ where: { learnerId: "gap-learner" }, orderBy: { createdAt: "asc" } });

  async function post() {
    const event = buildEvent({ learnerId: "gap-learner", courseId: "g-101", type: "gap.tick", occurredAt: clock.now().toISOString() });
    expect((await engine.http.post("/v1/events").set("Authorization", as("ingest")).send(event)).status).toBe(202);
  }

  /** Plays out the wait of every delayed delivery job (the clock has reached their due time). */
  async function promoteDelayed() {
    for (const job of await engine.ctx.queues.queue("deliver").getDelayed()) await job.promote();
  }

  it("with minGapMinutes 1 and three events 1 s apart, each deferral is delivered by a delayed job of its own, at its due time", async () => {
    await post();
    const [first] = await waitFor(messages, (ms) => ms.length === 1 && ms[0].status === "delivered");
    expect(first.deliveredAt!.getTime()).toBe(t0);

    clock.advance(1_000);
    await post();
    clock.advance(1_000);
    await post();
    // Both wait for the gap after the first delivery, each in a delayed job.
    const gapEnds = t0 + 60_000;
    await waitFor(messages, (ms) => ms.length === 3 && ms.slice(1).every((m) => m.status === "scheduled" && m.dueAt.getTime() === gapEnds));
    await waitFor(
      () => engine.ctx.queues.queue("deliver").getDelayedCount(),
      (n) => n === 2,
    );

    // The gap ends: both jobs run; one message goes out, the other is deferred again from inside its own job.
    clock.set(gapEnds);
    await promoteDelayed();
    const secondGapEnds = gapEnds + 60_000;
    const afterFirstGap = await waitFor(messages, (ms) => ms.filter((m) => m.status === "delivered").length === 2 && ms.some((m) => m.status === "scheduled" && m.dueAt.getTime() === secondGapEnds));
    const redeferred = afterFirstGap.find((m) => m.status === "scheduled")!;
    // Its new due time has a delayed job of its own (with an id naming only the message, the add was swallowed by the running job).
    await waitFor(
      async () => (await engine.ctx.queues.queue("deliver").getDelayed()).map((j) => (j.data as { messageId: string }).messageId),
      (ids) => ids.includes(redeferred.id),
    );

    clock.set(secondGapEnds);
    await promoteDelayed();
    const done = await waitFor(messages, (ms) => ms.every((m) => m.status === "delivered"));
    expect(done.map((m) => m.deliveredAt!.getTime()).sort()).toEqual([t0, gapEnds, secondGapEnds]);
  });
});

describe("re-adding work that still needs doing", () => {
  let engine: TestEngine;

  beforeEach(async () => {
    engine = await startTestEngine({ env: { COACH_SWEEP_AFTER_MS: "1" } });
  });
  afterEach(async () => engine.close());

  /**
   * Finishes every match job without doing its work, as a worker that lost its database writes would: the jobs
   * end up completed (or failed) and kept, the events still unmatched.
   */
  async function finishMatchJobsWithoutWork(outcome: "completed" | "failed") {
    const connection = new Redis(engine.ctx.config.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(
      "match",
      async () => {
        if (outcome === "failed") throw new UnrecoverableError("lost");
      },
      { connection, prefix: engine.ctx.queues.queue("match").opts.prefix },
    );
    try {
      await waitFor(
        () => engine.ctx.queues.queue("match").getJobCounts("waiting", "active", "delayed", "prioritized"),
        (c) => Object.values(c).every((n) => n === 0),
      );
      const counts = await engine.ctx.queues.queue("match").getJobCounts("completed", "failed");
      expect(counts[outcome]).toBeGreaterThan(0);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  }

  it.each(["completed", "failed"] as const)("the sweeper re-enqueues events whose jobs %s without matching them: the kept job does not swallow the re-add", async (outcome) => {
    const events = [1, 2, 3].map((i) => buildEvent({ learnerId: `readd-${i}`, courseId: "readd-101" }));
    expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ events })).status).toBe(202);
    const ids = events.map((e) => e.id).sort();
    await waitFor(
      () => heldIds(engine, "match"),
      (held) => ids.every((id) => held.includes(id)),
    );
    await new Promise((r) => setTimeout(r, 5)); // older than COACH_SWEEP_AFTER_MS
    await sweepOutbox(engine.ctx); // a sweep while the ingest job still holds them

    await finishMatchJobsWithoutWork(outcome);
    expect(await heldIds(engine, "match")).toEqual([]);
    expect(await engine.ctx.prisma.event.count({ where: { id: { in: ids }, matchedAt: null } })).toBe(3);

    await sweepOutbox(engine.ctx);
    expect((await heldIds(engine, "match")).sort()).toEqual(ids);
  });
});
