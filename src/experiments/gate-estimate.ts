/**
 * The helpfulness gate's model, as pure functions: two hierarchical Beta-Binomials over a delivered
 * message's settled outcome — does the learner vote at all, and if they vote, is it "helpful"?
 *
 *   vote rate      r = (L_votes + s·r_m) / (L + s)                 r_m: this template variant's vote rate
 *   helpful|vote   q = (L_helpful + s·q_m) / (L_votes + s)         q_m: this variant's helpful share of votes
 *
 * where the variant's rates are themselves shrunk toward all messages' (10 pseudo-messages), L are the
 * learner's own settled messages and s = `priorStrength`. Then P(helpful) = r·q, P(not helpful) = r·(1 − q),
 * P(no interaction) = 1 − r, and expected value = Σ p_k · value_k. Keeping "no vote" out of the helpful
 * estimate matters: a learner who rarely votes is not evidence that the message is unhelpful.
 * The message is sent when the expected value is positive, when the learner has fewer than `minHistory`
 * settled messages (exploration), or — for a seeded `explorationShare` of negative decisions — anyway, so
 * the estimate can recover when a learner changes.
 */
import type { GateSettings } from "./settings";

export interface OutcomeCounts {
  helpful: number;
  notHelpful: number;
  noInteraction: number;
}

export interface GateEstimate {
  pHelpful: number;
  pNotHelpful: number;
  pNoInteraction: number;
  expectedValue: number;
  learnerHistory: number;
}

export type GateDecision = { send: true; why: "positive" | "too_little_history" | "exploration"; estimate: GateEstimate } | { send: false; estimate: GateEstimate };

const MESSAGE_PRIOR_STRENGTH = 10;

const total = (c: OutcomeCounts) => c.helpful + c.notHelpful + c.noInteraction;
const votes = (c: OutcomeCounts) => c.helpful + c.notHelpful;
/** (successes + strength·prior) / (trials + strength): a Beta-Binomial posterior mean. */
const shrink = (successes: number, trials: number, prior: number, strength: number) => (successes + strength * prior) / (trials + strength);

/** Outcome probabilities and expected value for one learner and one template variant. */
export function estimateOutcomes(learner: OutcomeCounts, message: OutcomeCounts, global: OutcomeCounts, settings: GateSettings): GateEstimate {
  const globalVoteRate = shrink(votes(global), total(global), 0.5, 2);
  const globalHelpful = shrink(global.helpful, votes(global), 0.5, 2);
  const messageVoteRate = shrink(votes(message), total(message), globalVoteRate, MESSAGE_PRIOR_STRENGTH);
  const messageHelpful = shrink(message.helpful, votes(message), globalHelpful, MESSAGE_PRIOR_STRENGTH);
  const voteRate = shrink(votes(learner), total(learner), messageVoteRate, settings.priorStrength);
  const helpfulShare = shrink(learner.helpful, votes(learner), messageHelpful, settings.priorStrength);
  const pHelpful = voteRate * helpfulShare;
  const pNotHelpful = voteRate * (1 - helpfulShare);
  const pNoInteraction = 1 - voteRate;
  const v = settings.values;
  const expectedValue = pHelpful * v.helpful + pNotHelpful * v.notHelpful + pNoInteraction * v.noInteraction;
  const round = (x: number) => Number(x.toFixed(4));
  return { pHelpful: round(pHelpful), pNotHelpful: round(pNotHelpful), pNoInteraction: round(pNoInteraction), expectedValue: round(expectedValue), learnerHistory: total(learner) };
}

/** Send or hold, given the estimate; `explorationDraw` is a uniform number fixed by the decision's identity. */
export function gateDecision(estimate: GateEstimate, settings: GateSettings, explorationDraw: number): GateDecision {
  if (estimate.learnerHistory < settings.minHistory) return { send: true, why: "too_little_history", estimate };
  if (estimate.expectedValue > 0) return { send: true, why: "positive", estimate };
  if (explorationDraw < settings.explorationShare) return { send: true, why: "exploration", estimate };
  return { send: false, estimate };
}
