/**
 * The delivery-state read bounds a learner's history (src/delivery/delivery-state.ts): the last 8 days, the
 * rule's deliveries (older ones only when the rule's limits reach them or no streak ends within the walk), and of
 * the 50 most recent only those a dismiss streak can reach. Cutting the 50 at the
 * newest message that ends a streak must change nothing the throttle computes: for learners of every kind
 * (never engaging, always dismissing, streaks longer than 50, engaged only long ago, nothing delivered, ties
 * in delivery time), decide() and throttleState() on the loaded history must equal what they give on the
 * history bounded as before (the last 8 days, the rule's, the last 50, whole), computed here from every row.
 */
import { randomUUID } from "node:crypto";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { loadDeliveryStates } from "../../src/delivery/delivery-state";
import { drawHistories, insertDeliveredHistory, type LearnerKind } from "../factories/delivery-histories";
import { decide, type HistoryMessage } from "../../src/throttle/decide";
import { throttleState } from "../../src/throttle/throttle-state";
import { policySchema } from "../../src/throttle/policy";

const RULES = ["r1", "r2", "r3", "r4"];
const DAY = 86_400_000;

describe("the bounded delivery history", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine.close();
  });

  it("gives the throttle the same answers as the history bounded before, for learners of every kind", async () => {
    const now = new Date("2026-12-02T12:00:00.000Z");
    // Kinds of learner: how often they see, dismiss, vote, answer; how many deliveries, over how long.
    const kinds: LearnerKind[] = [
      { seen: 0.7, dismiss: 0.15, helpful: 0.1, notHelpful: 0.07, respond: 0.02, n: [20, 200], days: 90 },
      { seen: 0, dismiss: 0, helpful: 0, notHelpful: 0, respond: 0, n: [0, 80], days: 30 }, // never engages
      { seen: 0.9, dismiss: 0.95, helpful: 0, notHelpful: 0, respond: 0, n: [40, 120], days: 60 }, // dismisses everything
      { seen: 0.3, dismiss: 0.6, helpful: 0.02, notHelpful: 0.05, respond: 0, n: [5, 70], days: 20 },
      { seen: 0.05, dismiss: 0.3, helpful: 0.01, notHelpful: 0, respond: 0.01, n: [60, 150], days: 120 }, // streaks reaching past 8 days and 50
    ];
    const { learners, rows } = drawHistories({ seed: 17, prefix: "bound", learners: 150, kinds, rules: RULES, now });
    await insertDeliveredHistory(engine.ctx.database.pool, rows);
    // A scheduled message is no history at all.
    await engine.ctx.database.pool.query(
      `INSERT INTO messages (id, dedupe_key, learner_id, rule_key, template_key, template_version, variant, kind, status, due_at) VALUES ($1, 'h|scheduled', 'bound-0', 'r1', 't', 1, 'A', 'nudge', 'scheduled', $2)`,
      [randomUUID(), now],
    );

    // A rule's older deliveries are read only when its limits reach them (or no streak ends within the walk):
    // each kind of rule is read with its own limits, as matching and delivery read them.
    const ruleLimits = [
      { cooldownHours: null, maxPerLearner: null },
      { cooldownHours: 72, maxPerLearner: null },
      { cooldownHours: 72, maxPerLearner: 30 },
      { cooldownHours: 24 * 30, maxPerLearner: null },
    ];
    const asked = learners.map((learnerId, i) => ({ learnerId, ruleKey: RULES[i % RULES.length] }));
    const statesByLimits = await Promise.all(
      ruleLimits.map((limits) =>
        loadDeliveryStates(
          engine.ctx.database.pool,
          asked.map(({ learnerId, ruleKey }) => ({ learnerId, rules: [{ key: ruleKey, ...limits }] })),
          now,
          true,
        ),
      ),
    );

    const policies = [1, 3, 5, 40, 60, 100].map((dismissStreak) =>
      policySchema.parse({
        maxPerDay: 4,
        maxPerWeek: 12,
        minGapMinutes: 30,
        quietHours: null,
        adaptive: { dismissStreak, backoffHours: 24 * 30, unseenWindowHours: 48, unseenPerCapStep: 2 },
      }),
    );
    let shorter = 0;
    let compared = 0;
    for (const { learnerId, ruleKey } of asked) {
      const all = rows.filter((r) => r.learnerId === learnerId).sort((a, b) => b.deliveredAt.getTime() - a.deliveredAt.getTime());
      const before = new Set([...all.filter((r) => r.deliveredAt.getTime() >= now.getTime() - 8 * DAY), ...all.filter((r) => r.ruleKey === ruleKey), ...all.slice(0, 50)]);
      const previous: HistoryMessage[] = all.filter((r) => before.has(r));
      for (const [l, rule] of ruleLimits.entries()) {
        const loaded = statesByLimits[l].get(learnerId)!.history;
        // Never more than before, every entry one of the learner's deliveries.
        expect(loaded.length).toBeLessThanOrEqual(previous.length);
        if (loaded.length < previous.length) shorter++;
        for (const policy of policies) {
          for (const timezone of ["Europe/London", "Asia/Kathmandu"]) {
            const input = {
              now,
              policy,
              learner: { timezone },
              message: { ruleKey, kind: "nudge", essential: false, expiresAt: null },
              rule,
              preferences: { snoozedUntil: null, optedOutKinds: [] },
            };
            expect(decide({ ...input, history: loaded })).toEqual(decide({ ...input, history: previous }));
            expect(throttleState(loaded, policy, timezone, now)).toEqual(throttleState(previous, policy, timezone, now));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(learners.length * ruleLimits.length * 6 * 2);
    // The cut happens (most learners engage within their last 50), so the bound is not vacuous.
    expect(shorter).toBeGreaterThan((learners.length * ruleLimits.length) / 3);
  });
});
