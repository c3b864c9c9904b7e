import fc from "fast-check";
import { decide, type HistoryMessage } from "../../../src/throttle/decide";
import { policySchema } from "../../../src/throttle/policy";
import { localDate, localWeekStart, quietHoursEnd } from "../../../src/throttle/local-time";

const ZONES = ["UTC", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Auckland", "America/St_Johns"];
const START = Date.parse("2026-10-20T00:00:00Z"); // spans the October DST changes in Europe and the Americas
const HOUR = 3_600_000;

/** Delivers when decide says send, re-decides deferred messages at their time, drops suppressed ones. */
function simulate(triggers: number[], tz: string, policy: ReturnType<typeof policySchema.parse>): Date[] {
  const history: HistoryMessage[] = [];
  const queue = triggers.map((t) => ({ at: t })).sort((a, b) => a.at - b.at);
  while (queue.length) {
    const { at } = queue.shift()!;
    const now = new Date(at);
    const decision = decide({
      now,
      policy,
      learner: { timezone: tz },
      message: { ruleKey: "r", kind: "nudge", essential: false, expiresAt: null },
      rule: { cooldownHours: null, maxPerLearner: null },
      history,
      preferences: { snoozedUntil: null, optedOutKinds: [] },
    });
    if (decision.type === "send") history.push({ ruleKey: "r", deliveredAt: now, seenAt: now, dismissedAt: null, vote: null, respondedAt: null });
    else if (decision.type === "defer") {
      expect(decision.until.getTime()).toBeGreaterThan(at);
      queue.push({ at: decision.until.getTime() });
      queue.sort((a, b) => a.at - b.at);
    }
  }
  return history.map((h) => h.deliveredAt);
}

describe("throttle caps hold for any sequence of triggers", () => {
  it("never exceeds the per-local-day and per-local-week caps, never delivers in quiet hours, and keeps the minimum gap", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 21 * 24 * 60 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(...ZONES),
        fc.record({
          maxPerDay: fc.integer({ min: 1, max: 4 }),
          maxPerWeek: fc.integer({ min: 1, max: 12 }),
          minGapMinutes: fc.integer({ min: 0, max: 240 }),
          quietHours: fc.option(fc.record({ start: fc.constantFrom("21:00", "22:00", "23:30", "00:00"), end: fc.constantFrom("06:00", "07:30", "08:00") }), { nil: null }),
        }),
        (minutes, tz, p) => {
          const policy = policySchema.parse(p);
          const delivered = simulate(
            minutes.map((m) => START + m * 60_000),
            tz,
            policy,
          );
          const perDay = new Map<string, number>();
          const perWeek = new Map<number, number>();
          delivered.forEach((d, i) => {
            perDay.set(localDate(d, tz), (perDay.get(localDate(d, tz)) ?? 0) + 1);
            const week = localWeekStart(d, tz).getTime();
            perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
            if (policy.quietHours) expect(quietHoursEnd(d, tz, policy.quietHours.start, policy.quietHours.end)).toBeNull();
            if (i > 0) expect(d.getTime() - delivered[i - 1].getTime()).toBeGreaterThanOrEqual(policy.minGapMinutes * 60_000);
          });
          for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(policy.maxPerDay);
          for (const n of perWeek.values()) expect(n).toBeLessThanOrEqual(policy.maxPerWeek);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("counts a local day of 25 hours (Europe/London, 2026-10-25) as one day", () => {
    const policy = policySchema.parse({ maxPerDay: 2, minGapMinutes: 0, quietHours: null });
    // 00:30 BST and 23:30 GMT are the same local day 24 hours + 1 apart: the third is capped.
    const delivered = simulate([Date.parse("2026-10-24T23:30:00Z"), Date.parse("2026-10-25T12:00:00Z"), Date.parse("2026-10-25T23:29:00Z")], "Europe/London", policy);
    expect(delivered).toHaveLength(2);
  });

  it("defers a message due at 23:00 in Tokyo to 08:00 local the next morning", () => {
    const policy = policySchema.parse({});
    const now = new Date("2026-11-24T14:00:00Z"); // 23:00 in Tokyo
    const d = decide({
      now,
      policy,
      learner: { timezone: "Asia/Tokyo" },
      message: { ruleKey: "r", kind: "nudge", essential: false, expiresAt: null },
      rule: { cooldownHours: null, maxPerLearner: null },
      history: [],
      preferences: { snoozedUntil: null, optedOutKinds: [] },
    });
    expect(d).toMatchObject({ type: "defer", reason: "quiet_hours", until: new Date("2026-11-24T23:00:00Z") });
  });

  it("defers a quiet-hours end that DST skips to the same wall time shifted by the gap (America/Los_Angeles, 2026-03-08)", () => {
    const until = quietHoursEnd(new Date("2026-03-08T09:30:00Z"), "America/Los_Angeles", "01:00", "02:30"); // 01:30 PST; 02:30 does not exist
    expect(until?.toISOString()).toBe("2026-03-08T10:30:00.000Z"); // 03:30 PDT, never "now"
  });

  it("starts a backoff after three dismissals in a row and ends it with a helpful vote", () => {
    const policy = policySchema.parse({ quietHours: null, minGapMinutes: 0, maxPerDay: 100, maxPerWeek: 100 });
    const now = new Date("2026-11-24T12:00:00Z");
    const dismissed = (h: number): HistoryMessage => ({
      ruleKey: "r",
      deliveredAt: new Date(now.getTime() - h * HOUR),
      seenAt: null,
      dismissedAt: new Date(now.getTime() - h * HOUR + 60_000),
      vote: null,
      respondedAt: null,
    });
    const input = (history: HistoryMessage[]) => ({
      now,
      policy,
      learner: { timezone: "UTC" },
      message: { ruleKey: "r", kind: "nudge", essential: false, expiresAt: null },
      rule: { cooldownHours: null, maxPerLearner: null },
      history,
      preferences: { snoozedUntil: null, optedOutKinds: [] },
    });
    const streak = [dismissed(3), dismissed(2), dismissed(1)];
    expect(decide(input(streak))).toMatchObject({ type: "suppress", reason: "adaptive.backoff", details: { streak: 3 } });
    const helpful = { ...dismissed(0.5), dismissedAt: null, vote: "helpful" };
    expect(decide(input([...streak, helpful])).type).toBe("send");
    expect(decide({ ...input(streak), message: { ruleKey: "r", kind: "goal_reminder", essential: true, expiresAt: null } }).type).toBe("send");
  });
});
