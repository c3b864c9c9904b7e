/**
 * (7) One poison event in a chunk of 500 (every write of its message fails, through a real PostgreSQL trigger,
 * as a bad row would): the other 499 are delivered while it is isolated (marked failed with its reason); once
 * cured, an operator's retry delivers it too, so nothing is lost.
 */
import { hold, type Scenario } from "../bench";
import type { LoadEvent } from "../load-client";
import { countDelivered } from "../ledger";

export const poisonEvent: Scenario = {
  id: "poison",
  title: "7 poison event in a chunk of 500",
  async run(bench) {
    const { url, prefix } = bench.fresh("poison");
    // Two attempts: the second, after a 0.5 s backoff, is the last, where poison is isolated.
    const engine = bench.spawn({ name: "poison-all", role: "all", databaseUrl: url, prefix, adminKey: bench.adminKey, env: { COACH_JOB_ATTEMPTS: "2" } });
    const target = await engine.url();
    await engine.ready();
    await bench.prepareContent(target);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `poison-${bench.runId}`, targets: () => [target] });
    const chunk: LoadEvent[] = Array.from({ length: 500 }, (_, i) => ({
      id: `poison-chunk-${bench.runId}-${i}`,
      type: "chaos.now",
      learnerId: `poison-${i}`,
      courseId: "chaos-101",
      occurredAt: new Date().toISOString(),
      properties: { i },
    }));
    const poison = chunk[137];
    await db.query(`CREATE FUNCTION chaos_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poisoned event % (chaos suite)', NEW.event_id; END $$`);
    await db.query(`CREATE TRIGGER chaos_poison BEFORE INSERT ON messages FOR EACH ROW WHEN (NEW.event_id = '${poison.id}') EXECUTE FUNCTION chaos_poison()`);
    load.start();
    await hold(1_000);
    if (!(await load.sendBatch(chunk))) throw new Error("the chunk of 500 was never acknowledged");
    const chunkAckedAt = Date.now();
    const others = chunk.filter((e) => e !== poison).map((e) => e.id);
    // Isolated: the other 499 delivered and the poison marked failed (its final attempt does both).
    let isolated = false;
    const deadline = Date.now() + bench.options.drainSeconds * 1_000;
    while (!isolated && Date.now() < deadline) {
      const failed = await db.query(`SELECT 1 FROM events WHERE id = $1 AND match_failed_at IS NOT NULL`, [poison.id]);
      isolated = failed.rowCount === 1 && (await countDelivered(db, others)) === others.length;
      if (!isolated) await hold(250);
    }
    const othersAt = Date.now();
    const { rows } = await db.query<{ match_failed_at: Date | null; match_error: string | null }>(`SELECT match_failed_at, match_error FROM events WHERE id = $1`, [poison.id]);
    const othersDelivered = await countDelivered(db, others);
    await hold(bench.options.loadSeconds * 250);
    await load.stop();
    await db.query(`DROP TRIGGER chaos_poison ON messages; DROP FUNCTION chaos_poison()`);
    const retry = await fetch(new URL("/v1/operations/failures/retry", target), {
      method: "POST",
      headers: { authorization: `Bearer ${bench.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ eventIds: [poison.id] }),
    });
    await bench.drain(db, load.acknowledged(), load.sentIds());
    const retried = retry.status === 200 ? (((await retry.json()) as { eventIds?: string[] }).eventIds ?? []) : [];
    const checks = [
      { label: `others delivered while it failed ${othersDelivered}/499`, ok: isolated },
      { label: `marked failed: ${rows[0]?.match_error ? "with its reason" : "no"}`, ok: rows[0]?.match_failed_at != null && /poisoned event/.test(rows[0]?.match_error ?? "") },
      { label: `operator retry ${retry.status}${retried.includes(poison.id) ? "" : " (not retried)"}`, ok: retry.status === 200 && retried.includes(poison.id) },
    ];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs: isolated ? othersAt - chunkAckedAt : null, checks };
  },
};
