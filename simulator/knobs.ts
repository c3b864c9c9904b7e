/**
 * The learning loop's tuning knobs as the simulator sets them: the gate's prior strength, the bandit's
 * exploration floor and auto-pause's thresholds. They are chosen on the tuning family only
 * (`npm run simulate -- --tune`, simulator/tune.ts) and then reported on every family, so the other families
 * judge them out of sample.
 */
import { experimentSchema, gateSchema } from "../src/experiments/settings";
import { DEFAULT_POLICY } from "../src/throttle/policy";

export interface Knobs {
  /** gate.priorStrength: pseudo-messages of the variant's prior against the learner's own outcomes. */
  priorStrength: number;
  /** experiment.minExplorationShare: the bandit's uniform-exploration floor. */
  explorationFloor: number;
  /** policy.autoPause: pause a variant when, after minVotes votes, its helpful rate's Wilson upper bound is below minHelpfulRate. */
  autoPause: { minVotes: number; minHelpfulRate: number };
}

/** The engine's defaults (src/experiments/settings.ts, src/throttle/policy.ts). */
export const ENGINE_DEFAULTS: Knobs = {
  priorStrength: gateSchema.parse({}).priorStrength,
  explorationFloor: experimentSchema.parse({}).minExplorationShare,
  autoPause: { ...DEFAULT_POLICY.autoPause },
};

/**
 * What the tuning pass on the tuning family chose (`npm run simulate -- --tune`, 2026-12-02, 8 seeds;
 * docs/simulation/tuning.txt): prior strength 4 and exploration floor 0.05 as the engine's defaults, and
 * auto-pause after 20 votes rather than the default 30 (every candidate paused nothing in the tuning family, and
 * the criterion takes the most sensitive). The engine's default stays 30 until a change is decided; the
 * simulator runs what was chosen.
 */
export const CHOSEN_KNOBS: Knobs = { priorStrength: 4, explorationFloor: 0.05, autoPause: { minVotes: 20, minHelpfulRate: 0.3 } };

/** Knobs from a JSON override on the command line, e.g. '{"priorStrength":6}'; unknown fields are refused. */
export function knobsWith(base: Knobs, override: Partial<Knobs>): Knobs {
  for (const key of Object.keys(override)) if (!(key in base)) throw new Error(`Unknown knob ${key} (known: ${Object.keys(base).join(", ")})`);
  return { ...base, ...override, autoPause: { ...base.autoPause, ...override.autoPause } };
}

/** One line naming the knobs, for reports. */
export function describeKnobs(k: Knobs): string {
  return `priorStrength ${k.priorStrength}, exploration floor ${k.explorationFloor}, auto-pause ${k.autoPause.minVotes} votes / ${k.autoPause.minHelpfulRate}`;
}

/** The knobs as one comma-free token per knob, in a fixed order: what a runs CSV records, and compares, per row. */
export function knobsKey(k: Knobs): string {
  return `priorStrength=${k.priorStrength} explorationFloor=${k.explorationFloor} autoPause.minVotes=${k.autoPause.minVotes} autoPause.minHelpfulRate=${k.autoPause.minHelpfulRate}`;
}
