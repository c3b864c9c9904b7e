/**
 * The helpfulness gate's model, as pure functions: a hierarchical Dirichlet-multinomial over a delivered
 * message's three settled outcomes (helpful, not helpful, no vote).
 *
 *   global  g_k = (G_k + 1) / (G + 3)                       all messages, add-one smoothed
 *   message m_k = (M_k + 10·g_k) / (M + 10)                  this template variant, shrunk toward global
 *   learner p_k = (L_k + s·m_k) / (L + s)                    this learner's own outcomes, shrunk toward m
 *
 * with s = `priorStrength`. Expected value = Σ p_k · value_k; the message is sent when it is positive, when
 * the learner has fewer than `minHistory` settled messages (exploration), or — for a seeded
 * `explorationShare` of negative decisions — anyway, so the estimate can recover when a learner changes.
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
const shrink = (counts: OutcomeCounts, toward: [number, number, number], strength: number): [number, number, number] => {
  const n = total(counts) + strength;
  return [(counts.helpful + strength * toward[0]) / n, (counts.notHelpful + strength * toward[1]) / n, (counts.noInteraction + strength * toward[2]) / n];
};

/** Outcome probabilities and expected value for one learner and one template variant. */
export function estimateOutcomes(learner: OutcomeCounts, message: OutcomeCounts, global: OutcomeCounts, settings: GateSettings): GateEstimate {
  const g = shrink(global, [1 / 3, 1 / 3, 1 / 3], 3);
  const m = shrink(message, g, MESSAGE_PRIOR_STRENGTH);
  const [pHelpful, pNotHelpful, pNoInteraction] = shrink(learner, m, settings.priorStrength);
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
