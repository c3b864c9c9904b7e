/**
 * Bandit assignment by Thompson sampling: draw once from each active variant's Beta posterior of the
 * reward rate and send the highest draw; with probability `minExplorationShare` pick uniformly instead,
 * so a variant that started unlucky keeps getting enough traffic to recover. Pure and seeded: the same
 * seed and counts always give the same variant, which makes decisions replayable from what was recorded.
 */
import { seededRandom } from "../analytics/stats/random";

export interface ArmRecord {
  key: string;
  /** Reward successes and failures so far (helpful / not helpful votes, or engaged / not engaged). */
  successes: number;
  failures: number;
}

export interface ThompsonChoice {
  variant: string;
  explored: boolean;
  /** Each arm's posterior and draw, kept on the message. */
  arms: Array<{ key: string; alpha: number; beta: number; draw: number | null }>;
}

/** Chooses among `arms` (at least one); `seed` must identify the decision (rule, learner, trigger). */
export function thompsonChoose(arms: ArmRecord[], explorationShare: number, seed: string): ThompsonChoice {
  const random = seededRandom(seed);
  const posteriors = arms.map((a) => ({ key: a.key, alpha: 1 + a.successes, beta: 1 + a.failures }));
  if (random.uniform() < explorationShare) {
    const pick = posteriors[Math.floor(random.uniform() * posteriors.length)];
    return { variant: pick.key, explored: true, arms: posteriors.map((p) => ({ ...p, draw: null })) };
  }
  const drawn = posteriors.map((p) => ({ ...p, draw: random.beta(p.alpha, p.beta) }));
  const best = drawn.reduce((a, b) => (b.draw > a.draw ? b : a));
  return { variant: best.key, explored: false, arms: drawn.map((d) => ({ ...d, draw: Number(d.draw.toFixed(6)) })) };
}
