/**
 * GET /v1/analytics/experiments/{ruleKey}: a rule's experiment as an analyst would want to read it, from
 * the `analytics.experiment_results` view and the `analytics.holdout_lift` function (the same SQL analysts
 * use) — per-variant rates with Wilson intervals, a z-test against the control, the probability each
 * variant is best, the sample-ratio check, the holdout lift with a Newcombe interval, and a verdict.
 */
import type { Pool } from "pg";
import type { Db } from "../db/client";
import { NotFoundError } from "../lib/errors";
import { experimentSchema, readHoldout, readSettings } from "../experiments/settings";
import { listVariantPauses } from "../experiments/variant-pauses";
import { readPublishedTemplate } from "../content/published-templates";
import { wilsonInterval } from "./stats/wilson";
import { twoProportionZTest, newcombeInterval } from "./stats/proportions";
import { probabilityBest } from "./stats/probability-best";
import { sampleRatioMismatch } from "./stats/sample-ratio";
import { experimentVerdict } from "./experiment-verdict";

export interface FollowUp {
  eventType: string;
  withinDays: number;
}

/** Per-variant figures as the view has them. */
export interface ExperimentRow {
  variant: string;
  assigned: number;
  assignedSplit: number;
  expectedSplit: number;
  assignedBandit: number;
  delivered: number;
  engaged: number;
  helpful: number;
  notHelpful: number;
}

/** Reads `analytics.experiment_results` for one rule and template. */
export async function experimentRows(pool: Pool, ruleKey: string, templateKey: string): Promise<ExperimentRow[]> {
  const { rows } = await pool.query(
    `SELECT variant, assigned::int, assigned_split::int, expected_split::float8, assigned_bandit::int, delivered::int, engaged::int, helpful::int, not_helpful::int
       FROM analytics.experiment_results WHERE rule_key = $1 AND template_key = $2 ORDER BY variant`,
    [ruleKey, templateKey],
  );
  return rows.map((r) => ({
    variant: r.variant,
    assigned: r.assigned,
    assignedSplit: r.assigned_split,
    expectedSplit: r.expected_split,
    assignedBandit: r.assigned_bandit,
    delivered: r.delivered,
    engaged: r.engaged,
    helpful: r.helpful,
    notHelpful: r.not_helpful,
  }));
}

/** Reads `analytics.holdout_lift` for one rule; each arm's learners and conversions. */
export async function holdoutLiftRows(pool: Pool, ruleKey: string, followUp: FollowUp, asOf: Date): Promise<Record<"sent" | "held_out", { learners: number; converted: number }>> {
  const { rows } = await pool.query(`SELECT arm, learners::int, converted::int FROM analytics.holdout_lift($1, $2, $3, $4)`, [ruleKey, followUp.eventType, followUp.withinDays, asOf]);
  const arm = (name: string) => rows.find((r) => r.arm === name) ?? { learners: 0, converted: 0 };
  return { sent: { learners: arm("sent").learners, converted: arm("sent").converted }, held_out: { learners: arm("held_out").learners, converted: arm("held_out").converted } };
}

const rate = (x: number, n: number) => (n ? x / n : null);

/** The whole report; `followUp` overrides the rule's configured holdout follow-up. */
export async function experimentReport(db: Db, pool: Pool, ruleKey: string, options: { followUp?: FollowUp; asOf: Date }) {
  const rule = await db.rule.findUnique({ where: { key: ruleKey } });
  if (!rule) throw new NotFoundError(`No rule ${ruleKey}`);
  const experiment = readSettings(experimentSchema, rule.experiment) ?? experimentSchema.parse({});
  const template = await readPublishedTemplate(db, rule.templateKey);
  const rows = await experimentRows(pool, rule.key, rule.templateKey);
  const pauses = await listVariantPauses(pool, rule.templateKey);
  const variantKeys = [...new Set([...(template?.variants.map((v) => v.key) ?? []), ...rows.map((r) => r.variant)])];
  const byKey = new Map(rows.map((r) => [r.variant, r]));
  const empty = (variant: string): ExperimentRow => ({ variant, assigned: 0, assignedSplit: 0, expectedSplit: 0, assignedBandit: 0, delivered: 0, engaged: 0, helpful: 0, notHelpful: 0 });
  const figures = variantKeys.map((k) => byKey.get(k) ?? empty(k));
  const control = experiment.control && variantKeys.includes(experiment.control) ? experiment.control : (variantKeys[0] ?? null);
  const controlRow = figures.find((f) => f.variant === control) ?? null;
  const pBest = probabilityBest(figures.map((f) => ({ successes: f.helpful, failures: f.notHelpful })));

  const variants = figures.map((f, i) => {
    const votes = f.helpful + f.notHelpful;
    const pause = pauses.find((p) => p.variant === f.variant);
    const test = controlRow && f.variant !== control ? twoProportionZTest(f.helpful, votes, controlRow.helpful, controlRow.helpful + controlRow.notHelpful) : null;
    return {
      variant: f.variant,
      control: f.variant === control,
      paused: !!pause,
      pause: pause ?? null,
      assigned: f.assigned,
      assignedByPolicy: { split: f.assignedSplit, bandit: f.assignedBandit },
      delivered: f.delivered,
      engaged: f.engaged,
      engagementRate: rate(f.engaged, f.delivered),
      engagementRateCI: wilsonInterval(f.engaged, f.delivered),
      helpful: f.helpful,
      notHelpful: f.notHelpful,
      votes,
      helpfulRate: rate(f.helpful, votes),
      helpfulRateCI: wilsonInterval(f.helpful, votes),
      vsControl: test,
      probabilityBest: Number(pBest[i].toFixed(4)),
    };
  });
  const srm = figures.some((f) => f.assignedSplit > 0)
    ? sampleRatioMismatch(
        figures.map((f) => f.assignedSplit),
        figures.map((f) => f.expectedSplit),
      )
    : null;
  const verdict = experimentVerdict({ variants: variants.filter((v) => !v.paused || v.votes > 0), control, srm });

  const holdout = readHoldout(rule.holdout, rule.holdoutShare);
  const followUp = options.followUp ?? holdout?.followUp ?? null;
  return {
    ruleKey: rule.key,
    templateKey: rule.templateKey,
    mode: experiment.mode,
    reward: experiment.reward,
    control,
    variants,
    sampleRatio: srm,
    verdict,
    holdout: holdout ? { share: holdout.share, lift: followUp ? await liftReport(pool, rule.key, followUp, options.asOf) : null } : null,
  };
}

/** Sent versus held-out conversion on the follow-up event, with the difference's Newcombe 95% interval. */
export async function liftReport(pool: Pool, ruleKey: string, followUp: FollowUp, asOf: Date) {
  const arms = await holdoutLiftRows(pool, ruleKey, followUp, asOf);
  const arm = (a: { learners: number; converted: number }) => ({ ...a, rate: rate(a.converted, a.learners), rateCI: wilsonInterval(a.converted, a.learners) });
  const sent = arm(arms.sent),
    heldOut = arm(arms.held_out);
  const lift = sent.rate !== null && heldOut.rate !== null ? sent.rate - heldOut.rate : null;
  const liftCI = newcombeInterval(arms.sent.converted, arms.sent.learners, arms.held_out.converted, arms.held_out.learners);
  const text = !liftCI
    ? "not enough data yet: both arms need learners whose follow-up window has closed"
    : liftCI[0] > 0
      ? `the nudge raised ${followUp.eventType} within ${followUp.withinDays} days by ${(lift! * 100).toFixed(1)} points (95% CI ${(liftCI[0] * 100).toFixed(1)} to ${(liftCI[1] * 100).toFixed(1)})`
      : liftCI[1] < 0
        ? `the nudge lowered ${followUp.eventType} within ${followUp.withinDays} days by ${(-lift! * 100).toFixed(1)} points (95% CI ${(liftCI[0] * 100).toFixed(1)} to ${(liftCI[1] * 100).toFixed(1)})`
        : `no measurable lift on ${followUp.eventType} within ${followUp.withinDays} days yet (95% CI ${(liftCI[0] * 100).toFixed(1)} to ${(liftCI[1] * 100).toFixed(1)} points)`;
  return { followUp, asOf, sent, heldOut, lift, liftCI, verdict: text };
}
