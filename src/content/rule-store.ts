/**
 * Stored rules. The trigger is kept as posted and denormalized into indexed columns (event_type, course_id,
 * inactive_days) for candidate lookup. DELETE is soft (deleted_at) so analytics keep the history; a deleted
 * key can be created again. Every change and its audit row commit in one transaction; the database decides
 * key conflicts (409) and, when the caller names the version it read, lost updates (409 with the current one).
 */
import type { EngineContext } from "../context";
import type { Db } from "../db/client";
import { conflictOnDuplicate } from "../db/database-errors";
import { Prisma, type Rule } from "../generated/prisma/client";
import { NotFoundError, ValidationError, VersionConflictError } from "../lib/errors";
import { assertSameKey } from "../lib/expected-version";
import type { CreateRuleInput, UpdateRuleInput } from "./rule.schema";
import { forgetActiveRules } from "./active-rules";

export type RuleView = ReturnType<typeof presentRule>;

type RuleContext = Pick<EngineContext, "prisma" | "cache">;
type Tx = Prisma.TransactionClient;

/** Creates a rule; 409 when an active rule has the key (of concurrent creates of one key, exactly one succeeds). */
export async function createRule(ctx: RuleContext, input: CreateRuleInput, actor: string, now: Date): Promise<RuleView> {
  await assertReferences(ctx.prisma, input);
  const data = { ...columns(input), createdAt: now, updatedAt: now, deletedAt: null };
  const row = await conflictOnDuplicate(
    () =>
      ctx.prisma.$transaction(async (tx) => {
        // A deleted rule keeps its row (analytics); re-creating its key revives it, only while it is still deleted:
        // of two concurrent re-creates, the second waits for the first's row lock, finds it alive and fails below.
        const revived = await tx.rule.updateMany({ where: { key: input.key, deletedAt: { not: null } }, data: { ...data, version: { increment: 1 } } });
        const row = revived.count ? await tx.rule.findUniqueOrThrow({ where: { key: input.key } }) : await tx.rule.create({ data: { key: input.key, ...data } });
        await audit(tx, actor, "rule.created", input.key, { version: row.version });
        return row;
      }),
    `Rule ${input.key} already exists`,
  );
  forgetActiveRules(ctx);
  return presentRule(row);
}

/**
 * Replaces a rule's definition (version + 1). With `expected` (If-Match, or the `version` GET returned),
 * only if the rule is still at that version — else 409 with the current version, and nothing changes.
 * Read-only fields sent back from GET are ignored, but `key` must be this rule's.
 */
export async function updateRule(ctx: RuleContext, key: string, input: UpdateRuleInput, actor: string, now: Date, expected?: number): Promise<RuleView> {
  assertSameKey(key, input.key);
  const row = await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.rule.updateMany({
      where: { key, deletedAt: null, ...(expected !== undefined ? { version: expected } : {}) },
      data: { ...columns(input), version: { increment: 1 }, updatedAt: now },
    });
    if (count === 0) await explainMiss(tx, key, expected);
    await assertReferences(tx, input);
    const row = await tx.rule.findUniqueOrThrow({ where: { key } });
    await audit(tx, actor, "rule.updated", key, { version: row.version });
    return row;
  });
  forgetActiveRules(ctx);
  return presentRule(row);
}

/** Soft-deletes a rule; with `expected`, only if it is still at that version. */
export async function deleteRule(ctx: RuleContext, key: string, actor: string, now: Date, expected?: number): Promise<void> {
  await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.rule.updateMany({ where: { key, deletedAt: null, ...(expected !== undefined ? { version: expected } : {}) }, data: { deletedAt: now, updatedAt: now } });
    if (count === 0) await explainMiss(tx, key, expected);
    await audit(tx, actor, "rule.deleted", key, {});
  });
  forgetActiveRules(ctx);
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
    key: r.key,
    name: r.name,
    enabled: r.enabled,
    trigger: r.trigger,
    segmentKey: r.segmentKey,
    templateKey: r.templateKey,
    delaySeconds: r.delaySeconds,
    priority: r.priority,
    cooldownHours: r.cooldownHours,
    maxPerLearner: r.maxPerLearner,
    expiresAfterHours: r.expiresAfterHours,
    essential: r.essential,
    experiment: r.experiment,
    holdout: r.holdout,
    holdoutShare: r.holdoutShare,
    gate: r.gate,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function columns(input: UpdateRuleInput) {
  const holdout = input.holdout ?? (input.holdoutShare ? { share: input.holdoutShare } : null);
  const t = input.trigger as { eventType?: string; courseId?: string | null; inactiveDays?: number; where?: unknown };
  return {
    name: input.name,
    enabled: input.enabled,
    trigger: input.trigger as object,
    eventType: t.eventType ?? null,
    courseId: t.courseId ?? null,
    inactiveDays: t.inactiveDays ?? null,
    segmentKey: input.segmentKey ?? null,
    templateKey: input.templateKey,
    delaySeconds: input.delaySeconds,
    priority: input.priority,
    cooldownHours: input.cooldownHours ?? null,
    maxPerLearner: input.maxPerLearner ?? null,
    expiresAfterHours: input.expiresAfterHours ?? null,
    essential: input.essential,
    experiment: input.experiment ?? Prisma.DbNull,
    holdout: holdout ?? Prisma.DbNull,
    holdoutShare: holdout?.share ?? 0,
    gate: input.gate ?? Prisma.DbNull,
  };
}

/** Why a conditional write touched no row: the rule is gone (404) or moved on (409 with its version). */
async function explainMiss(tx: Tx, key: string, expected: number | undefined): Promise<never> {
  const current = await tx.rule.findUnique({ where: { key }, select: { version: true, deletedAt: true } });
  if (!current || current.deletedAt) throw new NotFoundError(`No rule ${key}`);
  throw new VersionConflictError(`Rule ${key} is at version ${current.version}, not ${expected}: read it again and reapply your change`, current.version);
}

async function audit(tx: Tx, actor: string, action: string, key: string, details: object): Promise<void> {
  await tx.auditLog.create({ data: { actor, action, entityType: "rule", entityKey: key, details } });
}

async function assertReferences(db: Db | Tx, input: UpdateRuleInput): Promise<void> {
  const template = await db.template.findUnique({ where: { key: input.templateKey }, select: { key: true } });
  if (!template) throw new ValidationError(`No template ${input.templateKey}`, [{ path: "templateKey", message: "must name an existing template" }]);
  if (input.segmentKey) {
    const segment = await db.segment.findUnique({ where: { key: input.segmentKey }, select: { key: true } });
    if (!segment) throw new ValidationError(`No segment ${input.segmentKey}`, [{ path: "segmentKey", message: "must name an existing segment" }]);
  }
}
