/**
 * The simulator's synthetic learners and their hidden truth, drawn from a family (families.ts). Every draw is
 * seeded, so (family, seed) names a population exactly. Per learner:
 *
 *   attitude     averse with the family's averseShare, else receptive
 *   engagement   disengaged with the family's disengagedShare (independent of attitude)
 *   activity     chance of studying on a day: engaged ~ Beta(3, 3) (mean 0.5), disengaged ~ Beta(1, 6) (mean 0.14)
 *   completion   c ~ Beta(2, 8): chance a study day completes a module (mean 0.2)
 *   boost        × family.boost on c for BOOST_DAYS after any delivered nudge (the nudge's true effect on learning)
 *   seen         engaged 0.85, disengaged 0.35 (a nudge not seen gets no vote and no dismissal)
 *   voting       engaged ~ Beta(6, 4) (mean 0.6), disengaged ~ Beta(2, 8) (mean 0.2): chance of voting on a seen nudge
 *   helpful|vote h ~ the family's Beta for the attitude; variant A gets h − effect/2, B gets h + effect/2 (clipped)
 *   dismiss      receptive 0.1, averse 0.5 (per seen nudge not voted helpful)
 *   timezone     uniform over the family's zones; study hour uniform over 09:00–20:00 local
 */
import { seededRandom } from "../src/analytics/stats/random";
import type { Family } from "./families";
import { localHourToUtc } from "./time";

export const VARIANTS = ["A", "B"] as const;
export type SimVariant = (typeof VARIANTS)[number];
export const BOOST_DAYS = 7;

export interface SimLearner {
  /** Stable across arms: the same person in every arm of a seed (draws are named after it). */
  person: string;
  averse: boolean;
  disengaged: boolean;
  timezone: string;
  /** The UTC hour at which this learner studies, when they do. */
  studyHourUtc: number;
  activity: number;
  completion: number;
  boost: number;
  seen: number;
  voting: number;
  helpful: Record<SimVariant, number>;
  dismiss: number;
}

const clip = (x: number) => Math.min(1, Math.max(0, x));

/** `n` learners of `family` drawn for `seed`. */
export function drawPopulation(family: Family, seed: string, n: number, start: Date): SimLearner[] {
  const random = seededRandom(`population:${family.name}:${seed}`);
  return Array.from({ length: n }, (_, i) => {
    const averse = random.uniform() < family.averseShare;
    const disengaged = random.uniform() < family.disengagedShare;
    const timezone = family.timezones[Math.floor(random.uniform() * family.timezones.length)];
    const localHour = 9 + Math.floor(random.uniform() * 12);
    const prior = averse ? family.helpful.averse : family.helpful.receptive;
    const h = random.beta(prior.a, prior.b);
    return {
      person: `${family.name}-${seed}-${i}`,
      averse,
      disengaged,
      timezone,
      studyHourUtc: localHourToUtc(localHour, timezone, start),
      activity: disengaged ? random.beta(1, 6) : random.beta(3, 3),
      completion: random.beta(2, 8),
      boost: family.boost,
      seen: disengaged ? 0.35 : 0.85,
      voting: disengaged ? random.beta(2, 8) : random.beta(6, 4),
      helpful: { A: clip(h - family.effect / 2), B: clip(h + family.effect / 2) },
      dismiss: averse ? 0.5 : 0.1,
    };
  });
}

/**
 * A uniform draw in [0, 1) fixed by its name: the same (seed, person, what) draws the same number in every arm,
 * so arms differ only by what the engine did. A 53-bit string hash (cyrb53): millions of draws per run, and
 * no stream state to keep in step.
 */
export function draw(...parts: Array<string | number>): number {
  const text = parts.join(":");
  let h1 = 0xdeadbeef,
    h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4_294_967_296 * (2_097_151 & h2) + (h1 >>> 0)) / 9_007_199_254_740_992;
}

/** P(completing at least one module within BOOST_DAYS study days) with and without a nudge's boost. */
export function trueConversion(learner: SimLearner, boosted: boolean): number {
  const daily = learner.activity * Math.min(1, learner.completion * (boosted ? learner.boost : 1));
  return 1 - (1 - daily) ** BOOST_DAYS;
}

/** A learner's chance of a helpful vote on a delivered nudge of `variant` (seen × votes × helpful). */
export const pHelpfulVote = (l: SimLearner, variant: SimVariant) => l.seen * l.voting * l.helpful[variant];
/** A learner's chance of a not-helpful vote on a delivered nudge of `variant`. */
export const pNotHelpfulVote = (l: SimLearner, variant: SimVariant) => l.seen * l.voting * (1 - l.helpful[variant]);

/** The population's helpful share of votes per variant (weighted by how much each learner votes): which variant is truly best. */
export function trueHelpfulRates(learners: SimLearner[]): Record<SimVariant, number> {
  const weight = (l: SimLearner) => l.seen * l.voting;
  const total = learners.reduce((s, l) => s + weight(l), 0);
  const rate = (v: SimVariant) => learners.reduce((s, l) => s + weight(l) * l.helpful[v], 0) / total;
  return { A: rate("A"), B: rate("B") };
}
