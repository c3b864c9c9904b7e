import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { sweepOutbox } from "../../src/maintenance/sweep-outbox";

/**
 * The sweeper under a backlog: the workers are behind (here: stopped), every stored event sits in a job waiting
 * its turn, and the sweeper runs every few seconds. It must not add load exactly when the fleet is behind: work a
 * live job holds is left alone, and only what no job holds (a lost job) is enqueued again, once.
 */
describe("the sweeper during a 10,000-event backlog", () => {
  let engine: TestEngine;
  const BACKLOG = 10_000;

  beforeAll(async () => {
    engine = await startTestEngine({ env: { COACH_SWEEP_AFTER_MS: "1" } });
  });
  afterAll(async () => engine.close());

  /** How many live jobs hold each event id. */
  async function holders(): Promise<Map<string, number>> {
    const jobs = await engine.ctx.queues.queue("match").getJobs(["waiting", "delayed", "active", "prioritized"]);
    const count = new Map<string, number>();
    for (const job of jobs) for (const id of (job.data as { eventIds: string[] }).eventIds) count.set(id, (count.get(id) ?? 0) + 1);
    return count;
  }
  const unmatchedIds = async () => (await engine.ctx.database.pool.query<{ id: string }>(`SELECT id FROM events WHERE course_id = 'backlog-101' AND matched_at IS NULL`)).rows.map((r) => r.id);

  it("re-enqueues nothing a waiting job holds, sweep after sweep while the workers catch up, and exactly the events of lost jobs once", async () => {
    const batches = Array.from({ length: BACKLOG / 500 }, (_, b) => Array.from({ length: 500 }, (_, i) => buildEvent({ learnerId: `bl-${b}-${i % 50}`, courseId: "backlog-101" })));
    for (let i = 0; i < batches.length; i += 4) {
      await Promise.all(
        batches.slice(i, i + 4).map(async (events) => {
          expect((await engine.http.post("/v1/events").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ events })).status).toBe(202);
        }),
      );
    }
    await waitFor(holders, (h) => h.size === BACKLOG);

    let requeued = 0;
    for (let sweep = 0; sweep < 4; sweep++) {
      const result = await sweepOutbox(engine.ctx);
      expect(result.events).toBe(5_000); // it did look at the oldest 5,000 unmatched events…
      requeued += result.eventsRequeued;
      // …while "the workers" get through the oldest 1,000 (the jobs holding them stay queued, as slow ones would).
      await engine.ctx.database.pool.query(
        `UPDATE events SET matched_at = now() WHERE id IN (SELECT id FROM events WHERE course_id = 'backlog-101' AND matched_at IS NULL ORDER BY received_at, id LIMIT 1000)`,
      );
    }
    const held = await holders();
    expect([...held.values()].filter((n) => n > 1).length).toBe(0); // no event is queued twice
    expect(held.size).toBe(BACKLOG);
    expect(requeued).toBe(0);

    // Two jobs are lost (a Redis failover that dropped them): their unmatched events, and only those, come back once.
    // The oldest jobs with unmatched events are lost, so their events are among the oldest the sweeper looks at.
    const stillUnmatched = new Set(await unmatchedIds());
    const waiting = await engine.ctx.queues.queue("match").getJobs(["waiting"], 0, -1, true);
    const lost = waiting.filter((j) => (j.data as { eventIds: string[] }).eventIds.some((id) => stillUnmatched.has(id))).slice(0, 2);
    for (const job of lost) await job.remove();
    const lostUnmatched = lost.flatMap((j) => (j.data as { eventIds: string[] }).eventIds).filter((id) => stillUnmatched.has(id));
    expect(lostUnmatched.length).toBeGreaterThan(0);
    let recovered = 0;
    for (let sweep = 0; sweep < 3; sweep++) recovered += (await sweepOutbox(engine.ctx)).eventsRequeued;
    expect(recovered).toBe(lostUnmatched.length);
    const after = await holders();
    expect((await unmatchedIds()).every((id) => after.get(id) === 1)).toBe(true);
  });
});
