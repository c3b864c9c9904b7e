import { planNudge, type RuleVerdict } from "../../../src/matching/plan-nudge";

const rule = (key: string, priority: number) => ({ key, priority });
const at = new Date("2026-11-24T10:00:00Z");

describe("planNudge: at most one nudge per learner and event", () => {
  it("sends the highest-priority rule and records every lower one as lower_priority", async () => {
    const plan = await planNudge([rule("a", 30), rule("b", 20), rule("c", 10)], async () => ({ type: "send", dueAt: at, payload: 1 }));
    expect(plan.winner?.rule.key).toBe("a");
    expect(plan.skipped.map((s) => [s.rule.key, s.reason])).toEqual([
      ["b", "lower_priority"],
      ["c", "lower_priority"],
    ]);
    expect(plan.skipped[0].details).toMatchObject({ winner: "a", winnerPriority: 30, priority: 20 });
  });

  it("falls through to the next rule when the throttle refuses the first, keeping the refusal's reason", async () => {
    const verdicts: Record<string, RuleVerdict<number>> = {
      a: { type: "skip", reason: "cooldown", details: { hours: 24 } },
      b: { type: "send", dueAt: at, payload: 2 },
      c: { type: "send", dueAt: at, payload: 3 },
    };
    const asked: string[] = [];
    const plan = await planNudge([rule("a", 30), rule("b", 20), rule("c", 10)], async (r) => (asked.push(r.key), verdicts[r.key]));
    expect(plan.winner?.rule.key).toBe("b");
    expect(plan.skipped.map((s) => [s.rule.key, s.reason])).toEqual([
      ["a", "cooldown"],
      ["c", "lower_priority"],
    ]);
    expect(asked).toEqual(["a", "b"]); // rules below the winner are not judged at all
  });

  it("sends nothing when every rule is refused", async () => {
    const plan = await planNudge([rule("a", 1), rule("b", 1)], async () => ({ type: "skip", reason: "cap.day", details: {} }));
    expect(plan.winner).toBeNull();
    expect(plan.skipped.map((s) => s.reason)).toEqual(["cap.day", "cap.day"]);
  });

  it("carries a deferral with the winner", async () => {
    const until = new Date("2026-11-25T08:00:00Z");
    const plan = await planNudge([rule("a", 1)], async () => ({ type: "send", dueAt: until, payload: 0, deferral: { reason: "quiet_hours", details: {} } }));
    expect(plan.winner).toMatchObject({ dueAt: until, deferral: { reason: "quiet_hours" } });
  });
});
