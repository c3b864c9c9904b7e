/**
 * The simulator's synthetic learners and their hidden truth. Every draw is seeded, so a seed names a
 * population exactly. Distributions (documented in docs/learning-loop.md):
 *
 *   type         averse with probability 0.25, else receptive
 *   activity     a ~ Beta(3, 3)            chance of studying on a given day (mean 0.5)
 *   completion   c ~ Beta(2, 8)            chance a study day completes a module (mean 0.2)
 *   boost        ×1.4 on c for 7 days after any delivered nudge (the nudge's true effect on learning)
 *   voting       v ~ Beta(6, 4)            chance of voting on a delivered nudge (mean 0.6)
 *   helpful|vote receptive h ~ Beta(16, 4) (mean 0.8); averse h ~ Beta(1, 9) (mean 0.1);
 *                variant A gets h − 0.05, variant B gets h + 0.05 (clipped): B is 10 points better
 *   dismiss      receptive 0.1, averse 0.5 (per delivered nudge, when not voting helpful)
 *   seen         0.85 (a nudge not seen gets no vote and no dismissal)
 *   timezone     uniform over six zones; study hour uniform over 09:00–20:00 local
 */
import { seededRandom, type Random } from "../src/analytics/stats/random";
import { localHourToUtc } from "./time";

export const VARIANTS = ["A", "B"] as const;
export type SimVariant = (typeof VARIANTS)[number];
export const NUDGE_BOOST = 1.4;
export const BOOST_DAYS = 7;
const TIMEZONES = ["America/New_York", "Europe/Paris", "Asia/Kolkata", "America/Sao_Paulo", "Australia/Sydney", "UTC"];

export interface SimLearner {
  id: string;
  averse: boolean;
  timezone: string;
  /** The UTC hour at which this learner studies, when they do. */
  studyHourUtc: number;
  activity: number;
  completion: number;
  voting: number;
  helpful: Record<SimVariant, number>;
  dismiss: number;
  seen: number;
}

const clip = (x: number) => Math.min(1, Math.max(0, x));

/** `n` learners drawn from the documented distributions. */
export function drawPopulation(seed: string, n: number, start: Date): SimLearner[] {
  const random: Random = seededRandom(`population:${seed}`);
  return Array.from({ length: n }, (_, i) => {
    const averse = random.uniform() < 0.25;
    const timezone = TIMEZONES[Math.floor(random.uniform() * TIMEZONES.length)];
    const localHour = 9 + Math.floor(random.uniform() * 12);
    const h = averse ? random.beta(1, 9) : random.beta(16, 4);
    return {
      id: `sim-${seed}-${i}`,
      averse,
      timezone,
      studyHourUtc: localHourToUtc(localHour, timezone, start),
      activity: random.beta(3, 3),
      completion: random.beta(2, 8),
      voting: random.beta(6, 4),
      helpful: { A: clip(h - 0.05), B: clip(h + 0.05) },
      dismiss: averse ? 0.5 : 0.1,
      seen: 0.85,
    };
  });
}

/** A uniform draw fixed by its name: the same (seed, learner, what) always draws the same number in every arm. */
export function draw(seed: string, ...parts: Array<string | number>): number {
  return seededRandom(`${seed}:${parts.join(":")}`).uniform();
}

/** P(completing at least one module within the window) with and without the nudge's boost: the true lift. */
export function trueConversion(learner: SimLearner, boosted: boolean): number {
  const daily = learner.activity * Math.min(1, learner.completion * (boosted ? NUDGE_BOOST : 1));
  return 1 - (1 - daily) ** BOOST_DAYS;
}

/** The population's helpful rate per variant (votes-weighted): which variant is truly best, and by how much. */
export function trueHelpfulRates(learners: SimLearner[]): Record<SimVariant, number> {
  const rate = (v: SimVariant) => learners.reduce((s, l) => s + l.voting * l.helpful[v], 0) / learners.reduce((s, l) => s + l.voting, 0);
  return { A: rate("A"), B: rate("B") };
}
