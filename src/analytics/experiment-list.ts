/**
 * GET /v1/analytics/experiments: every live rule that is running an experiment, so an analyst picks one from
 * a list instead of typing a rule key. A rule runs one when it says so (`experiment`), holds learners out
 * (`holdout`), or sends a published template with two or more variants (split by weight is the default
 * experiment). Each entry is the rule's full report (experiment-report.ts) with its name and state.
 */
import type { Pool } from "pg";
import type { Db } from "../db/client";
import { readPublishedTemplate } from "../content/published-templates";
import { readHoldout } from "../experiments/settings";
import { experimentReport } from "./experiment-report";

/** Reports computed at once: each is a handful of small queries; a few at a time keeps the pool free for traffic. */
const CONCURRENCY = 4;

/** True when the rule compares variants or measures a holdout. */
async function runsExperiment(db: Db, rule: { templateKey: string; experiment: unknown; holdout: unknown; holdoutShare: number }): Promise<boolean> {
  if (rule.experiment !== null || readHoldout(rule.holdout, rule.holdoutShare)) return true;
  const template = await readPublishedTemplate(db, rule.templateKey);
  return (template?.variants.length ?? 0) >= 2;
}

/** The reports of every live rule running an experiment, by rule key. */
export async function listExperiments(db: Db, pool: Pool, asOf: Date) {
  const rules = await db.rule.findMany({
    where: { deletedAt: null },
    orderBy: { key: "asc" },
    select: { key: true, name: true, enabled: true, templateKey: true, experiment: true, holdout: true, holdoutShare: true },
  });
  const candidates = [];
  for (const rule of rules) if (await runsExperiment(db, rule)) candidates.push(rule);
  const experiments = [];
  for (let i = 0; i < candidates.length; i += CONCURRENCY) {
    const batch = candidates.slice(i, i + CONCURRENCY);
    const reports = await Promise.all(batch.map((rule) => experimentReport(db, pool, rule.key, { asOf })));
    experiments.push(...reports.map((report, j) => ({ ruleName: batch[j].name, enabled: batch[j].enabled, ...report })));
  }
  return experiments;
}
