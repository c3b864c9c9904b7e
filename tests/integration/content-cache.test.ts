/**
 * The one cache (ctx.cache) against a real database: entries follow the revision triggers bump in the write's
 * own transaction — for any write, same millisecond or not, even TRUNCATE — concurrent misses load once, a load
 * that a forget overtook is not kept, and figures without a revision age in engine time. Polling is paced by an
 * injected timer here, so nothing waits on the wall clock.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { ContentCache, cacheArea } from "../../src/db/content-cache";
import { ContentRevisions, POLL_MS } from "../../src/db/content-revisions";
import { ManualClock } from "../../src/lib/clock";
import { emptyTables } from "../../src/db/empty-tables";

describe("the content cache", () => {
  let engine: TestEngine;
  let timer = 0; // the revisions' monotonic pacing timer, moved by hand
  let revisions: ContentRevisions;
  const clock = new ManualClock("2026-03-01T00:00:00Z");
  let cache: ContentCache;
  const RULE_KEYS = cacheArea<string[]>({ name: "test-rule-keys", kind: "rules" });
  const FIGURES = cacheArea<number>({ name: "test-figures", kind: null, maxAgeMs: 60_000 });
  const ruleKeys = () => cache.get(RULE_KEYS, "all", async () => (await engine.ctx.prisma.rule.findMany({ where: { enabled: true }, orderBy: { key: "asc" } })).map((r) => r.key));
  const nextPoll = () => {
    timer += POLL_MS;
  };
  const sql = (text: string, values: unknown[] = []) => engine.ctx.database.pool.query(text, values);
  const insertRule = (key: string, at: string) =>
    sql(`INSERT INTO rules (key, name, trigger, event_type, template_key, created_at, updated_at) VALUES ($1, $1, '{"eventType":"a.b"}', 'a.b', 't', $2, $2)`, [key, at]);

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  beforeEach(() => {
    revisions = new ContentRevisions(engine.ctx.database.pool, POLL_MS, () => timer);
    cache = new ContentCache(revisions, clock);
  });
  afterAll(async () => engine.close());

  it("sees every write made behind its back (SQL, any process) at the next poll, even two in the same millisecond with the same count", async () => {
    const at = "2026-01-01T00:00:00.000Z";
    await insertRule("r1", at);
    expect(await ruleKeys()).toEqual(["r1"]);
    await sql(`UPDATE rules SET enabled = false, updated_at = $1 WHERE key = 'r1'`, [at]);
    expect(await ruleKeys()).toEqual(["r1"]); // within the poll interval: still the cached list
    nextPoll();
    expect(await ruleKeys()).toEqual([]);
    await sql(`UPDATE rules SET enabled = true, updated_at = $1 WHERE key = 'r1'`, [at]); // same count, same max(updated_at)
    nextPoll();
    expect(await ruleKeys()).toEqual(["r1"]);
  });

  it("loads once for fifty concurrent misses, and not again while the revision stands", async () => {
    let loads = 0;
    const counted = () =>
      cache.get(RULE_KEYS, "all", async () => {
        loads++;
        return [];
      });
    await Promise.all(Array.from({ length: 50 }, counted));
    expect(loads).toBe(1);
    nextPoll();
    await Promise.all(Array.from({ length: 50 }, counted));
    expect(loads).toBe(1);
  });

  it("applies this process's own change at once after changed(), without waiting for a poll", async () => {
    await insertRule("r2", "2026-01-01T00:00:00.000Z");
    expect(await ruleKeys()).toContain("r1");
    await sql(`UPDATE rules SET enabled = false WHERE key = 'r1'`);
    cache.changed("rules");
    expect(await ruleKeys()).toEqual(["r2"]);
  });

  it("does not keep what a load returns after a forget overtook it", async () => {
    let release: ((value: string[]) => void) | null = null;
    await revisions.revisionOf("rules"); // polled: the load below starts without waiting for the database
    const slow = cache.get(
      RULE_KEYS,
      "all",
      () =>
        new Promise<string[]>((resolve) => {
          release = resolve;
        }),
    );
    while (!release) await new Promise((r) => setImmediate(r));
    cache.forget(RULE_KEYS);
    (release as (value: string[]) => void)(["stale"]);
    expect(await slow).toEqual(["stale"]); // its own caller gets it…
    expect(await ruleKeys()).toEqual(["r2"]); // …but the next reader loads again
  });

  it("reloads after the tables are emptied (TRUNCATE moves the revisions too)", async () => {
    expect(await ruleKeys()).toEqual(["r2"]);
    await emptyTables(engine.ctx.database.pool);
    nextPoll();
    expect(await ruleKeys()).toEqual([]);
    await insertRule("r3", "2026-01-01T00:00:00.000Z");
    nextPoll();
    expect(await ruleKeys()).toEqual(["r3"]);
  });

  it("keeps figures without a revision for maxAgeMs of engine time; an entry from the clock's future is a miss", async () => {
    let n = 0;
    const figure = () => cache.get(FIGURES, "f", async () => ++n);
    expect(await figure()).toBe(1);
    clock.advance(59_000);
    expect(await figure()).toBe(1);
    clock.advance(1_000);
    expect(await figure()).toBe(2);
    clock.advance(-3_600_000); // a simulator starting a new run sets its clock back
    expect(await figure()).toBe(3);
  });

  describe("serving stale figures while one refresh runs (staleForMs, serveStale)", () => {
    const SLOW = cacheArea<string>({ name: "test-slow-figures", kind: null, maxAgeMs: 60_000, staleForMs: 300_000 });
    const WAITED = Symbol("waited");
    /** What the call gives if it settles before anything queued after it runs: a caller that waits for a load does not. */
    const withoutWaiting = <T>(call: Promise<T>) => Promise.race([call, new Promise<typeof WAITED>((resolve) => setImmediate(() => resolve(WAITED)))]);
    let loads: Array<{ resolve: (value: string) => void; reject: (error: Error) => void }>;
    const slowLoad = () =>
      new Promise<string>((resolve, reject) => {
        loads.push({ resolve, reject });
      });
    const failures: string[] = [];
    let stale: ContentCache;
    const read = () => stale.get(SLOW, "k", slowLoad);

    beforeEach(() => {
      loads = [];
      failures.length = 0;
      stale = new ContentCache(revisions, clock, { serveStale: true, onRefreshError: (_error, area) => failures.push(area) });
    });

    it("waits for the first load; after expiry the next callers get the old value at once, and one refresh replaces it", async () => {
      const first = read();
      expect(await withoutWaiting(first)).toBe(WAITED);
      loads[0].resolve("v1");
      expect(await first).toBe("v1");
      clock.advance(60_000);
      expect(await withoutWaiting(read())).toBe("v1"); // expired: served, and a refresh starts
      expect(await withoutWaiting(read())).toBe("v1"); // the second caller does not wait either…
      expect(loads).toHaveLength(2); // …nor start another refresh
      loads[1].resolve("v2");
      await stale.idle();
      expect(await withoutWaiting(read())).toBe("v2");
      expect(loads).toHaveLength(2);
    });

    it("keeps the old value when a refresh fails, says so, and tries again at the next call", async () => {
      const first = read();
      loads[0].resolve("v1");
      await first;
      clock.advance(61_000);
      expect(await withoutWaiting(read())).toBe("v1");
      loads[1].reject(new Error("database gone"));
      await stale.idle();
      expect(failures).toEqual(["test-slow-figures"]);
      expect(await withoutWaiting(read())).toBe("v1");
      expect(loads).toHaveLength(3);
      loads[2].resolve("v2");
      await stale.idle();
      expect(await read()).toBe("v2");
    });

    it("waits when the entry is older than maxAgeMs + staleForMs, was forgotten, or the cache does not serve stale", async () => {
      const first = read();
      loads[0].resolve("v1");
      await first;
      clock.advance(360_000);
      const tooOld = read();
      expect(await withoutWaiting(tooOld)).toBe(WAITED);
      loads[1].resolve("v2");
      expect(await tooOld).toBe("v2");
      stale.forget(SLOW);
      const forgotten = read();
      expect(await withoutWaiting(forgotten)).toBe(WAITED);
      loads[2].resolve("v3");
      expect(await forgotten).toBe("v3");
      const strict = new ContentCache(revisions, clock);
      const strictFirst = strict.get(SLOW, "k", slowLoad);
      loads[3].resolve("s1");
      await strictFirst;
      clock.advance(60_000);
      const strictExpired = strict.get(SLOW, "k", slowLoad);
      expect(await withoutWaiting(strictExpired)).toBe(WAITED);
      loads[4].resolve("s2");
      expect(await strictExpired).toBe("s2");
    });
  });
});
