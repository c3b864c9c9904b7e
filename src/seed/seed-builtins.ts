/**
 * Seeds the built-in template library and its rules on start. Idempotent and safe when two processes
 * start at once (inserts that conflict do nothing); never overwrites a template or rule staff have edited,
 * and never resurrects a built-in rule staff deleted (a soft-deleted row still holds its key).
 */
import type { EngineContext } from "../context";
import { loadBuiltinLibrary } from "../templates/builtin-library";
import { createRuleSchema } from "../content/rule.schema";
import { createHash } from "node:crypto";
import { forgetActiveRules } from "../content/active-rules";
import { forgetPublishedTemplate } from "../content/published-templates";

/** Inserts each missing built-in template (version 1, published, author "builtin") and rule. */
export async function seedBuiltins(ctx: EngineContext): Promise<{ templates: number; rules: number }> {
  const { templates, rules } = loadBuiltinLibrary();
  const now = ctx.clock.now();
  let seededTemplates = 0;
  let seededRules = 0;
  for (const t of templates) {
    const inserted = await ctx.prisma.$transaction(async (tx) => {
      const created = await tx.$executeRaw`INSERT INTO templates (key, name, kind, published_version, latest_version, created_at, updated_at)
        VALUES (${t.key}, ${t.name}, ${t.kind}::"MessageKind", 1, 1, ${now}, ${now}) ON CONFLICT (key) DO NOTHING`;
      if (created === 0) return false;
      const checksum = createHash("sha256").update(JSON.stringify(t)).digest("hex");
      await tx.templateVersion.create({
        data: {
          templateKey: t.key,
          version: 1,
          name: t.name,
          kind: t.kind,
          locale: t.locale,
          essential: t.essential ?? false,
          variants: t.variants as object,
          response: t.response === null ? undefined : (t.response as object),
          author: "builtin",
          checksum,
          createdAt: now,
        },
      });
      return true;
    });
    if (inserted) seededTemplates++;
  }
  for (const r of rules) {
    const rule = createRuleSchema.parse({
      key: r.key,
      name: r.name,
      templateKey: r.templateKey,
      trigger: r.trigger,
      priority: r.priority,
      delaySeconds: r.delaySeconds,
      cooldownHours: r.cooldownHours ?? null,
      maxPerLearner: r.maxPerLearner ?? null,
      expiresAfterHours: r.expiresAfterHours ?? null,
    });
    const t = rule.trigger as { eventType?: string; courseId?: string | null; inactiveDays?: number };
    const created = await ctx.prisma
      .$executeRaw`INSERT INTO rules (key, name, enabled, trigger, event_type, course_id, inactive_days, template_key, delay_seconds, priority, cooldown_hours, max_per_learner, expires_after_hours, created_at, updated_at)
      VALUES (${rule.key}, ${rule.name}, true, ${JSON.stringify(rule.trigger)}::jsonb, ${t.eventType ?? null}, ${t.courseId ?? null}, ${t.inactiveDays ?? null}, ${rule.templateKey}, ${rule.delaySeconds}, ${rule.priority}, ${rule.cooldownHours ?? null}, ${rule.maxPerLearner ?? null}, ${rule.expiresAfterHours ?? null}, ${now}, ${now})
      ON CONFLICT (key) DO NOTHING`;
    seededRules += created;
  }
  if (seededRules) forgetActiveRules(ctx);
  if (seededTemplates) forgetPublishedTemplate(ctx);
  if (seededTemplates || seededRules) ctx.log.info({ templates: seededTemplates, rules: seededRules }, "seeded built-in templates and rules");
  return { templates: seededTemplates, rules: seededRules };
}
