/**
 * The enabled rules in the plain shape the matcher uses, cached on the context: reloaded only when the
 * database's rules revision moves (any write to rules, through any process, bumps it in the write's own
 * transaction), so the list is read once per change, never per event, and never kept after a change
 * because another process's clock wrote an older `updated_at`.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import type { Condition } from "../matching/conditions.schema";
import type { Rule } from "../generated/prisma/client";
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

/** The cache and database the rule loaders need (the engine context, or a part of it). */
export type ContentContext = Pick<EngineContext, "prisma" | "cache">;

const ACTIVE_RULES = cacheArea<ActiveRule[]>({ name: "active-rules", kind: "rules" });

/** The active rules; the same array instance until rules change. */
export async function loadActiveRules(ctx: ContentContext): Promise<ActiveRule[]> {
  return ctx.cache.get(ACTIVE_RULES, "all", async () => {
    const rows = await ctx.prisma.rule.findMany({ where: { enabled: true, deletedAt: null } });
    return rows.map(activeRuleOf);
  });
}

/** A stored rule row in the matcher's shape (also for a disabled rule a test-match asks about). */
export function activeRuleOf(r: Rule): ActiveRule {
  return {
    key: r.key,
    name: r.name,
    priority: r.priority,
    eventType: r.eventType,
    courseId: r.courseId,
    inactiveDays: r.inactiveDays,
    segmentKey: r.segmentKey,
    templateKey: r.templateKey,
    delaySeconds: r.delaySeconds,
    cooldownHours: r.cooldownHours,
    maxPerLearner: r.maxPerLearner,
    expiresAfterHours: r.expiresAfterHours,
    essential: r.essential,
    experiment: readSettings(experimentSchema, r.experiment),
    holdout: readHoldout(r.holdout, r.holdoutShare),
    gate: readSettings(gateSchema, r.gate),
    where: (r.trigger as { where?: Condition | null }).where ?? null,
  };
}

/**
 * After a rule write committed through this process: the change applies to the next event here at once;
 * other processes see the bumped revision within POLL_MS.
 */
export function forgetActiveRules(ctx: Pick<EngineContext, "cache">): void {
  ctx.cache.changed("rules");
}
