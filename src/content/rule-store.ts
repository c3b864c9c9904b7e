/**
 * Stored rules. The trigger is kept as posted and denormalized into indexed columns (event_type, course_id,
 * inactive_days) for candidate lookup. DELETE is soft (deleted_at) so analytics keep the history; a deleted
 * key can be created again.
 */
import type { Db } from "../db/client";
import { Prisma, type Rule } from "../generated/prisma/client";
import { ConflictError, NotFoundError, ValidationError } from "../lib/errors";
import type { CreateRuleInput, UpdateRuleInput } from "./rule.schema";
import { forgetActiveRules } from "./active-rules";

export type RuleView = ReturnType<typeof presentRule>;

/** Creates a rule; 409 when an active rule has the key. */
export async function createRule(db: Db, input: CreateRuleInput, actor: string, now: Date): Promise<RuleView> {
  await assertReferences(db, input);
  const existing = await db.rule.findUnique({ where: { key: input.key } });
  if (existing && !existing.deletedAt) throw new ConflictError(`Rule ${input.key} already exists`);
  const data = { ...columns(input), updatedAt: now, deletedAt: null };
  const row = existing
    ? await db.rule.update({ where: { key: input.key }, data: { ...data, version: existing.version + 1, createdAt: now } })
    : await db.rule.create({ data: { key: input.key, ...data, createdAt: now } });
  forgetActiveRules(db);
  await db.auditLog.create({ data: { actor, action: "rule.created", entityType: "rule", entityKey: input.key, details: { version: row.version } } });
  return presentRule(row);
}

/** Replaces a rule's definition (version + 1). */
export async function updateRule(db: Db, key: string, input: UpdateRuleInput, actor: string, now: Date): Promise<RuleView> {
  const existing = await db.rule.findUnique({ where: { key } });
  if (!existing || existing.deletedAt) throw new NotFoundError(`No rule ${key}`);
  await assertReferences(db, input);
  const row = await db.rule.update({ where: { key }, data: { ...columns(input), version: existing.version + 1, updatedAt: now } });
  forgetActiveRules(db);
  await db.auditLog.create({ data: { actor, action: "rule.updated", entityType: "rule", entityKey: key, details: { version: row.version } } });
  return presentRule(row);
}

/** Soft-deletes a rule. */
export async function deleteRule(db: Db, key: string, actor: string, now: Date): Promise<void> {
  const { count } = await db.rule.updateMany({ where: { key, deletedAt: null }, data: { deletedAt: now, updatedAt: now } });
  if (count === 0) throw new NotFoundError(`No rule ${key}`);
  forgetActiveRules(db);
  await db.auditLog.create({ data: { actor, action: "rule.deleted", entityType: "rule", entityKey: key } });
}

/** One rule (not deleted) or 404. */
export async function getRule(db: Db, key: string): Promise<RuleView> {
  const row = await db.rule.findUnique({ where: { key } });
  if (!row || row.deletedAt) throw new NotFoundError(`No rule ${key}`);
  return presentRule(row);
}

/** Every rule that is not deleted, by priority then key. */
export async function listRules(db: Db): Promise<RuleView[]> {
  const rows = await db.rule.findMany({ where: { deletedAt: null }, orderBy: [{ priority: "desc" }, { key: "asc" }] });
  return rows.map(presentRule);
}

/** The contract's rule JSON. */
export function presentRule(r: Rule) {
  return {
    key: r.key, name: r.name, enabled: r.enabled, trigger: r.trigger, segmentKey: r.segmentKey, templateKey: r.templateKey,
    delaySeconds: r.delaySeconds, priority: r.priority, cooldownHours: r.cooldownHours, maxPerLearner: r.maxPerLearner,
    expiresAfterHours: r.expiresAfterHours, essential: r.essential, experiment: r.experiment, holdout: r.holdout, holdoutShare: r.holdoutShare, gate: r.gate,
    version: r.version, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function columns(input: UpdateRuleInput) {
  const holdout = input.holdout ?? (input.holdoutShare ? { share: input.holdoutShare } : null);
  const t = input.trigger as { eventType?: string; courseId?: string | null; inactiveDays?: number; where?: unknown };
  return {
    name: input.name, enabled: input.enabled, trigger: input.trigger as object,
    eventType: t.eventType ?? null, courseId: t.courseId ?? null, inactiveDays: t.inactiveDays ?? null,
    segmentKey: input.segmentKey ?? null, templateKey: input.templateKey, delaySeconds: input.delaySeconds, priority: input.priority,
    cooldownHours: input.cooldownHours ?? null, maxPerLearner: input.maxPerLearner ?? null, expiresAfterHours: input.expiresAfterHours ?? null,
    essential: input.essential, experiment: input.experiment ?? Prisma.DbNull, holdout: holdout ?? Prisma.DbNull, holdoutShare: holdout?.share ?? 0,
    gate: input.gate ?? Prisma.DbNull,
  };
}

async function assertReferences(db: Db, input: UpdateRuleInput): Promise<void> {
  const template = await db.template.findUnique({ where: { key: input.templateKey }, select: { key: true } });
  if (!template) throw new ValidationError(`No template ${input.templateKey}`, [{ path: "templateKey", message: "must name an existing template" }]);
  if (input.segmentKey) {
    const segment = await db.segment.findUnique({ where: { key: input.segmentKey }, select: { key: true } });
    if (!segment) throw new ValidationError(`No segment ${input.segmentKey}`, [{ path: "segmentKey", message: "must name an existing segment" }]);
  }
}
