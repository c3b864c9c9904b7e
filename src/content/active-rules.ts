/**
 * The enabled rules in the plain shape the matcher uses, cached: the list is re-read at most once a second
 * and only rebuilt when a cheap fingerprint (count, latest update) changes, so the rule index is rebuilt
 * only when rules change — never per event.
 */
import type { Db } from "../db/client";
import type { Condition } from "../matching/conditions.schema";
import { experimentSchema, gateSchema, readHoldout, readSettings, type ExperimentSettings, type GateSettings, type HoldoutSettings } from "../experiments/settings";

export interface ActiveRule {
  key: string;
  name: string;
  priority: number;
  eventType: string | null;
  courseId: string | null;
  inactiveDays: number | null;
  segmentKey: string | null;
  templateKey: string;
  delaySeconds: number;
  cooldownHours: number | null;
  maxPerLearner: number | null;
  expiresAfterHours: number | null;
  essential: boolean;
  experiment: ExperimentSettings | null;
  holdout: HoldoutSettings | null;
  gate: GateSettings | null;
  where: Condition | null;
}

const CHECK_MS = 1_000;
const caches = new WeakMap<Db, { rules: ActiveRule[]; fingerprint: string; checkedAt: number }>();

/** The active rules; the same array instance until rules change. */
export async function loadActiveRules(db: Db): Promise<ActiveRule[]> {
  const cached = caches.get(db);
  if (cached && Date.now() - cached.checkedAt < CHECK_MS) return cached.rules;
  const stats = await db.rule.aggregate({ _count: true, _max: { updatedAt: true } });
  const fingerprint = `${stats._count}:${stats._max.updatedAt?.getTime() ?? 0}`;
  if (cached && cached.fingerprint === fingerprint) {
    cached.checkedAt = Date.now();
    return cached.rules;
  }
  const rows = await db.rule.findMany({ where: { enabled: true, deletedAt: null } });
  const rules = rows.map((r): ActiveRule => ({
    key: r.key, name: r.name, priority: r.priority, eventType: r.eventType, courseId: r.courseId, inactiveDays: r.inactiveDays,
    segmentKey: r.segmentKey, templateKey: r.templateKey, delaySeconds: r.delaySeconds, cooldownHours: r.cooldownHours,
    maxPerLearner: r.maxPerLearner, expiresAfterHours: r.expiresAfterHours, essential: r.essential,
    experiment: readSettings(experimentSchema, r.experiment), holdout: readHoldout(r.holdout, r.holdoutShare), gate: readSettings(gateSchema, r.gate),
    where: ((r.trigger as { where?: Condition | null }).where ?? null),
  }));
  caches.set(db, { rules, fingerprint, checkedAt: Date.now() });
  return rules;
}

/**
 * Forgets the cached list after a rule write in this process, so the change applies to the next event at
 * once here; other processes pick it up within CHECK_MS.
 */
export function forgetActiveRules(db: Db): void {
  caches.delete(db);
}
