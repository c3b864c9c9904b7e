/**
 * Matching hands the delivery states it read to delivery (src/delivery/delivery-state-handoff.ts), which
 * decides on them instead of reading again. Two things must hold for decisions to stay what a read would give:
 * - the state derived from matching's read (for several rules, earlier) is, row for row, what a read for the
 *   delivered rule at the delivery's time returns (deriveDeliveryState), for learners of every kind;
 * - a state is never used once the learner's data changed: feedback, preferences and other deliveries since
 *   matching each make delivery decide on a fresh read.
 */
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { insertMessage } from "../factories/messages";
import { drawHistories, insertDeliveredHistory, type LearnerKind } from "../factories/delivery-histories";
import { deriveDeliveryState, loadDeliveryStates, type HistoryEntry } from "../../src/delivery/delivery-state";
import { matchStoredEvent } from "../../src/matching/match-stored-event";
import { deliverMessage } from "../../src/delivery/deliver-message";
import { submitFeedback } from "../../src/feedback/submit-feedback";
import { ManualClock } from "../../src/lib/clock";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ms = (d: Date | null) => (d === null ? null : d.getTime());
/** Entries as comparable tuples, in one order (ties in delivery time come back in any order). */
const rows = (history: HistoryEntry[]) => history.map((h) => JSON.stringify([h.ruleKey, ms(h.deliveredAt), ms(h.seenAt), ms(h.dismissedAt), h.vote, ms(h.respondedAt)])).sort();

describe("delivery states read at matching, reused at delivery", () => {
  let engine: TestEngine;
  const clock = new ManualClock("2026-12-02T12:00:00.000Z");
  beforeAll(async () => {
    engine = await startTestEngine({ clock });
  });
  afterAll(async () => {
    await engine.close();
  });

  it("derives from an earlier read for several rules exactly what a later read for one of them returns", async () => {
    const now = new Date("2026-12-02T12:00:00.000Z");
    const pool = engine.ctx.database.pool;
    const RULES = ["r1", "r2", "r3", "r4"];
    // Kinds of learner: how often they see, dismiss, vote, answer; how many deliveries over how many days.
    // Dense recent histories make the 8 days slide over many rows between the two reads.
    const kinds: LearnerKind[] = [
      { seen: 0.7, dismiss: 0.15, helpful: 0.1, notHelpful: 0.07, respond: 0.02, n: [20, 200], days: 90 },
      { seen: 0, dismiss: 0, helpful: 0, notHelpful: 0, respond: 0, n: [0, 120], days: 14 }, // never engages
      { seen: 0.9, dismiss: 0.95, helpful: 0, notHelpful: 0, respond: 0, n: [40, 160], days: 20 }, // dismisses everything
      { seen: 0.3, dismiss: 0.6, helpful: 0.02, notHelpful: 0.05, respond: 0, n: [5, 90], days: 12 },
      { seen: 0.05, dismiss: 0.3, helpful: 0.01, notHelpful: 0, respond: 0.01, n: [60, 150], days: 40 }, // streaks past 8 days and 50
    ];
    const { learners, rows: drawn } = drawHistories({ seed: 29, prefix: "reuse", learners: 150, kinds, rules: RULES, now });
    await insertDeliveredHistory(pool, drawn);
    await pool.query(`INSERT INTO learner_delivery_versions (learner_id, version) SELECT learner_id, count(*) FROM messages WHERE learner_id LIKE 'reuse-%' GROUP BY learner_id`);
    await pool.query(`INSERT INTO learner_preferences (learner_id, snoozed_until, opted_out_kinds) VALUES ('reuse-3', $1, '{goal_prompt}')`, [new Date(now.getTime() + DAY)]);

    // Rules with each kind of limit: none (their older rows are read only when no streak ends within the walk),
    // a lifetime cap and a long cooldown (older rows always read), a short cooldown (never needed past the window).
    const LIMITS: Record<string, { cooldownHours: number | null; maxPerLearner: number | null }> = {
      r1: { cooldownHours: null, maxPerLearner: null },
      r2: { cooldownHours: 72, maxPerLearner: 30 },
      r3: { cooldownHours: 24 * 30, maxPerLearner: null },
    };
    const rule = (key: string, limits = LIMITS[key]) => ({ key, ...limits });
    // Matching's read: the rules r1–r3 (r4's older rows come only with the walk).
    const earlier = await loadDeliveryStates(
      pool,
      learners.map((learnerId) => ({ learnerId, rules: ["r1", "r2", "r3"].map((key) => rule(key)) })),
      now,
      true,
    );
    let compared = 0;
    let naiveWrong = 0;
    let notDerived = 0;
    const asks = [
      [rule("r1")],
      [rule("r2")],
      [rule("r3"), rule("r1")],
      // The rule was given a lifetime cap since matching: its older rows may be missing from matching's read.
      [rule("r1", { cooldownHours: null, maxPerLearner: 5 })],
    ];
    for (const offset of [0, 1_000, HOUR, 2 * DAY, 5 * DAY + 7 * HOUR, 8 * DAY, 9 * DAY, 30 * DAY]) {
      const at = new Date(now.getTime() + offset);
      for (const asked of asks) {
        const later = await loadDeliveryStates(
          pool,
          learners.map((learnerId) => ({ learnerId, rules: asked })),
          at,
          true,
        );
        for (const learnerId of learners) {
          const state = earlier.get(learnerId)!;
          const derived = deriveDeliveryState(state, asked, at);
          const read = later.get(learnerId)!;
          if (!derived) {
            // Only where matching's read cannot hold what this one does: the cap added since.
            expect(asked[0].maxPerLearner).toBe(5);
            notDerived++;
            continue;
          }
          const label = { learnerId, offset, asked: asked.map((r) => r.key) };
          expect({ ...label, rows: rows(derived.history) }).toEqual({ ...label, rows: rows(read.history) });
          expect(derived.preferences).toEqual(read.preferences);
          expect(derived.version).toBe(read.version);
          // Newest first, as the read sends it (decide relies on it).
          expect(derived.history.map((h) => h.deliveredAt.getTime())).toEqual(read.history.map((h) => h.deliveredAt.getTime()));
          compared++;
          // Dropping only the other rules' older rows is not enough: the later walk stops earlier.
          const others = new Set(["r1", "r2", "r3"].filter((k) => !asked.some((r) => r.key === k)));
          const naive = state.history.filter((h) => !(others.has(h.ruleKey) && h.deliveredAt.getTime() < at.getTime() - 8 * DAY));
          if (rows(naive).join() !== rows(read.history).join()) naiveWrong++;
        }
      }
    }
    expect(compared + notDerived).toBe(8 * asks.length * learners.length);
    expect(notDerived).toBeGreaterThan(0);
    expect(notDerived).toBeLessThan(8 * learners.length);
    expect(naiveWrong).toBeGreaterThan(learners.length / 2);
    // Not derivable: a rule matching did not read, a time before the read, or the throttle off (no version).
    const one = earlier.get("reuse-0")!;
    expect(deriveDeliveryState(one, [rule("r4", LIMITS.r1)], now)).toBeNull();
    expect(deriveDeliveryState(one, [rule("r1")], new Date(now.getTime() - 1))).toBeNull();
    expect(deriveDeliveryState({ ...one, version: null }, [rule("r1")], now)).toBeNull();
  });

  describe("through matching and delivery", () => {
    const author = () => `Bearer ${engine.keys.author}`;
    /** Delivery-state reads (the history query) made while `fn` runs. */
    async function countStateReads<T>(fn: () => Promise<T>): Promise<{ result: T; reads: number }> {
      const pool = engine.ctx.database.pool;
      const query = pool.query.bind(pool);
      let reads = 0;
      const spy = jest.spyOn(pool, "query").mockImplementation(((text: unknown, ...rest: unknown[]) => {
        if (typeof text === "string" && text.includes("ends_newer")) reads++;
        return (query as (...args: unknown[]) => unknown)(text, ...rest);
      }) as typeof pool.query);
      try {
        return { result: await fn(), reads };
      } finally {
        spy.mockRestore();
      }
    }
    /** Posts an event (through `on`, this engine by default) and matches it; the message it scheduled. */
    async function matchEventOf(learnerId: string, on: TestEngine = engine) {
      const event = buildEvent({ learnerId, courseId: "reuse-101", type: "video.completed", occurredAt: clock.now().toISOString() });
      expect((await on.http.post("/v1/events").set("Authorization", `Bearer ${on.keys.ingest}`).send(event)).status).toBe(202);
      await matchStoredEvent(on.ctx, event.id);
      const [message] = await on.ctx.prisma.message.findMany({ where: { learnerId, eventId: event.id, status: "scheduled" } });
      expect(message).toBeDefined();
      return message;
    }
    const ago = (hours: number) => new Date(clock.now().getTime() - hours * HOUR);
    const history = (learnerId: string, hoursAgo: number, engaged: { seen?: boolean; dismissed?: boolean } = {}) =>
      insertMessage(engine.ctx, {
        learnerId,
        ruleKey: "older",
        deliveredAt: ago(hoursAgo),
        seenAt: engaged.seen || engaged.dismissed ? ago(hoursAgo - 0.5) : null,
        dismissedAt: engaged.dismissed ? ago(hoursAgo - 0.5) : null,
        status: engaged.dismissed ? "dismissed" : "delivered",
      });

    beforeAll(async () => {
      const put = (path: string, body: object) => engine.http.put(path).set("Authorization", author()).send(body);
      const post = (path: string, body: object) => engine.http.post(path).set("Authorization", author()).send(body);
      // Three a day, one fewer per message left unseen for 48 hours (within a week), 60 minutes apart, and a back-off after three dismissals in a row.
      expect(
        (
          await put("/v1/policy", {
            maxPerDay: 3,
            maxPerWeek: 100,
            minGapMinutes: 60,
            quietHours: null,
            adaptive: { dismissStreak: 3, backoffHours: 72, unseenWindowHours: 48, unseenPerCapStep: 1 },
          })
        ).status,
      ).toBe(200);
      expect((await post("/v1/templates", { key: "reuse", name: "Reuse", kind: "nudge", variants: [{ key: "A", title: "Hi", body: "Hello", weight: 1 }] })).status).toBe(201);
      expect((await post("/v1/rules", { key: "reuse-video", name: "Reuse", templateKey: "reuse", trigger: { eventType: "video.completed", courseId: "reuse-101" } })).status).toBe(201);
    });

    it("delivers on the state matching read, without reading it again", async () => {
      await history("handed-1", 3, { seen: true });
      const message = await matchEventOf("handed-1");
      const { result, reads } = await countStateReads(() => deliverMessage(engine.ctx, message.id));
      expect(result.type).toBe("delivered");
      expect(reads).toBe(0);
    });

    it("decides on a fresh read when a dismissal since matching completed a dismiss streak", async () => {
      await history("handed-2", 30, { dismissed: true });
      await history("handed-2", 29, { dismissed: true });
      const newest = await history("handed-2", 27);
      const message = await matchEventOf("handed-2"); // two dismissals in a row: the nudge may go
      await submitFeedback(engine.ctx, newest.id, { learnerId: "handed-2", type: "dismissed" }); // now three
      const { result, reads } = await countStateReads(() => deliverMessage(engine.ctx, message.id));
      expect(result).toEqual({ type: "suppressed", reason: "adaptive.backoff" });
      expect(reads).toBe(1);
    });

    it.each(["seen", "clicked", "helpful", "not_helpful"] as const)("reads again after feedback the throttle weighs since matching (%s)", async (type) => {
      const learnerId = `handed-fb-${type}`;
      const newest = await history(learnerId, 30);
      const message = await matchEventOf(learnerId);
      await submitFeedback(engine.ctx, newest.id, { learnerId, type });
      const { result, reads } = await countStateReads(() => deliverMessage(engine.ctx, message.id));
      expect(result.type).toBe("delivered");
      expect(reads).toBe(1);
    });

    it("decides on a fresh read when the learner snoozed since matching", async () => {
      const message = await matchEventOf("handed-4");
      const res = await engine.http.put("/v1/learners/handed-4/preferences").set("Authorization", `Bearer ${engine.keys.ingest}`).send({ snoozeHours: 24 });
      expect(res.status).toBe(200);
      const { result, reads } = await countStateReads(() => deliverMessage(engine.ctx, message.id));
      expect(result).toEqual({ type: "suppressed", reason: "preferences.snoozed" });
      expect(reads).toBe(1);
    });

    it("decides again on a fresh read when another process delivered to the learner since matching", async () => {
      const other = await startTestEngine({ keepData: true, clock });
      try {
        const message = await matchEventOf("handed-5");
        // Another process matches and delivers a nudge to the same learner first.
        const theirs = await matchEventOf("handed-5", other);
        expect((await deliverMessage(other.ctx, theirs.id)).type).toBe("delivered");
        // This one was predicted on the state before it: the minimum gap now defers it.
        const { result, reads } = await countStateReads(() => deliverMessage(engine.ctx, message.id));
        expect(result).toMatchObject({ type: "deferred", reason: "min_gap" });
        expect(reads).toBe(1);
      } finally {
        await other.close();
      }
    });

    it("writes no suppression decided on a handed-over state: a message left unseen for 48 hours since matching lowers the day's cap, a message seen since raises it", async () => {
      // One delivery today (seen), one unseen for 49 hours (the day's cap is 3 - 1 = 2), and one that will have
      // been unseen for 48 hours a quarter of a minute after matching.
      const unseenLong = new Map<string, string>();
      for (const learnerId of ["handed-6", "handed-7"]) {
        await history(learnerId, 2, { seen: true });
        unseenLong.set(learnerId, (await history(learnerId, 49)).id);
        await history(learnerId, 48 - 1 / 240);
      }
      const unchanged = await matchEventOf("handed-6");
      const seenSince = await matchEventOf("handed-7");
      clock.advance(30_000); // within the hand-over's minute
      // Nothing changed for handed-6 but time: the cap fell to 1, which today's delivery uses up.
      const first = await countStateReads(() => deliverMessage(engine.ctx, unchanged.id));
      expect(first.result).toMatchObject({ type: "suppressed", reason: "cap.day" });
      expect(first.reads).toBe(1); // not written on the handed-over state: decided again on a read, the same way
      // handed-7 saw the 49-hour-old message meanwhile: on a read the cap is 2 again and the nudge goes.
      await submitFeedback(engine.ctx, unseenLong.get("handed-7")!, { learnerId: "handed-7", type: "seen" });
      const second = await countStateReads(() => deliverMessage(engine.ctx, seenSince.id));
      expect(second.result.type).toBe("delivered");
    });
  });
});
