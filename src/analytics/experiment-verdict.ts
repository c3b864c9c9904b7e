/**
 * The experiment's result in plain words, in the order an analyst checks: is the traffic split sound, is
 * there enough data, and then who wins with what probability.
 */
import type { SampleRatioCheck } from "./stats/sample-ratio";

/** Votes the least-voted variant needs before we call a winner. */
export const MIN_VOTES_FOR_VERDICT = 30;
/** Probability of being best needed to name a winner. */
export const WINNER_PROBABILITY = 0.95;

export interface VerdictInput {
  variants: Array<{ variant: string; votes: number; probabilityBest: number; paused: boolean }>;
  control: string | null;
  srm: SampleRatioCheck | null;
}

export type Verdict = { status: "broken_split" | "single_variant" | "not_enough_data" | "no_clear_winner" | "winner"; text: string; winner?: string };

const pct = (p: number) => `${Math.round(p * 100)}%`;

/** One sentence and a machine-readable status. */
export function experimentVerdict({ variants, control, srm }: VerdictInput): Verdict {
  if (srm?.flagged)
    return {
      status: "broken_split",
      text: `traffic split looks broken: assignments do not match the variant weights (sample-ratio p = ${srm.pValue.toExponential(2)}); fix assignment before reading any other figure`,
    };
  if (variants.length < 2) return { status: "single_variant", text: "only one variant: nothing to compare" };
  const fewest = variants.reduce((a, b) => (b.votes < a.votes ? b : a));
  if (fewest.votes < MIN_VOTES_FOR_VERDICT)
    return { status: "not_enough_data", text: `not enough data yet: variant ${fewest.variant} has ${fewest.votes} of the ${MIN_VOTES_FOR_VERDICT} votes needed` };
  const ranked = [...variants].sort((a, b) => b.probabilityBest - a.probabilityBest);
  const [best, second] = ranked;
  if (best.probabilityBest < WINNER_PROBABILITY)
    return { status: "no_clear_winner", text: `no clear winner yet: ${best.variant} leads with ${pct(best.probabilityBest)} probability of being the most helpful` };
  const other = variants.length === 2 ? second.variant : control && control !== best.variant ? control : second.variant;
  const text =
    variants.length === 2
      ? `${best.variant} is more helpful than ${other} with ${pct(best.probabilityBest)} probability`
      : `${best.variant} is the most helpful variant with ${pct(best.probabilityBest)} probability`;
  return { status: "winner", text, winner: best.variant };
}
