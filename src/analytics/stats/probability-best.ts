/**
 * The Bayesian probability that each arm has the highest rate, under independent Beta(1 + successes,
 * 1 + failures) posteriors, by seeded Monte Carlo: the same counts always give the same answer.
 */
import { seededRandom } from "./random";

export interface ArmCounts {
  successes: number;
  failures: number;
}

/** P(arm i is best) for each arm; ties between draws are shared equally. */
export function probabilityBest(arms: ArmCounts[], draws = 20_000, seed = "probability-best"): number[] {
  if (arms.length === 0) return [];
  if (arms.length === 1) return [1];
  const random = seededRandom(`${seed}:${arms.map((a) => `${a.successes}/${a.failures}`).join(",")}`);
  const wins = new Array<number>(arms.length).fill(0);
  const sample = new Array<number>(arms.length);
  for (let d = 0; d < draws; d++) {
    let best = -1;
    for (let i = 0; i < arms.length; i++) {
      sample[i] = random.beta(1 + arms[i].successes, 1 + arms[i].failures);
      if (sample[i] > best) best = sample[i];
    }
    const leaders = sample.filter((s) => s === best).length;
    for (let i = 0; i < arms.length; i++) if (sample[i] === best) wins[i] += 1 / leaders;
  }
  return wins.map((w) => w / draws);
}
