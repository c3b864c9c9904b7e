/**
 * Throttle decisions per second for learners with 1,000 delivered messages of history each (the pure
 * `decide`, one core), beside the cost of only filtering that history by local day (the floor of any cap check).
 */
import { decide, type HistoryMessage } from "../src/throttle/decide";
import { policySchema } from "../src/throttle/policy";
import { localDayStart } from "../src/throttle/local-time";

const ZONES = ["Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kathmandu"];

/** Runs the throttle benchmark and returns its figures. */
export async function runThrottleBench(): Promise<Record<string, number | string>> {
  const now = new Date("2026-11-24T12:00:00Z");
  const policy = policySchema.parse({ maxPerDay: 1000, maxPerWeek: 5000, minGapMinutes: 0, quietHours: { start: "22:00", end: "08:00" } });
  const learners = Array.from({ length: 200 }, (_, l) =>
    Array.from({ length: 1000 }, (_, i): HistoryMessage => {
      const at = new Date(now.getTime() - (i + 1) * 37 * 60_000 - l * 1000);
      return { ruleKey: `r${i % 20}`, deliveredAt: at, seenAt: i % 3 ? at : null, dismissedAt: i % 7 === 0 ? at : null, vote: i % 11 === 0 ? "helpful" : null, respondedAt: null };
    }),
  );
  const rounds = 20;
  let sends = 0;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    learners.forEach((history, l) => {
      const d = decide({
        now,
        policy,
        learner: { timezone: ZONES[l % ZONES.length] },
        message: { ruleKey: "r1", kind: "nudge", essential: false, expiresAt: null },
        rule: { cooldownHours: 1, maxPerLearner: null },
        history,
        preferences: { snoozedUntil: null, optedOutKinds: [] },
      });
      if (d.type === "send") sends++;
    });
  }
  const decisions = rounds * learners.length;
  const perSecond = decisions / (Number(process.hrtime.bigint() - started) / 1e9);

  let counted = 0;
  const floorStarted = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++)
    learners.forEach((history, l) => {
      const start = localDayStart(now, ZONES[l % ZONES.length]).getTime();
      for (const h of history) if (h.deliveredAt.getTime() >= start) counted++;
    });
  const floorPerSecond = decisions / (Number(process.hrtime.bigint() - floorStarted) / 1e9);
  const figures = {
    "history per learner": 1000,
    "decisions/s (1 core)": Math.round(perSecond),
    "day-filter only/s": Math.round(floorPerSecond),
    "ratio to day-filter": Number((perSecond / floorPerSecond).toFixed(2)),
    sends,
    counted,
  };
  console.table(figures);
  return figures;
}

if (require.main === module) {
  runThrottleBench().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
