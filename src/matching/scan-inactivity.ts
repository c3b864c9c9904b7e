/**
 * Inactivity triggers: a rule `{inactiveDays: N, courseId?}` fires once per learner and course per quiet
 * spell. Each rule keeps a watermark (in `settings`); a scan looks only at learners whose last activity
 * crossed the threshold since the previous scan — `last_activity_at` in (watermark, now − N days] — an
 * indexed range, never a scan of all events. New activity moves last_activity_at forward, so a learner
 * who goes quiet again crosses the threshold again: a new spell. The message's dedupe key names the spell
 * (rule, learner, course, last activity), so a rescan can never fire twice for one spell.
 * A new rule starts its watermark at its first scan's threshold: it does not fire for old spells.
 */
import type { EngineContext } from "../context";
import { loadActiveRules, type ActiveRule } from "../content/active-rules";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { planNudge } from "./plan-nudge";
import { judgeRule } from "./judge-rule";
import { loadJudgeInputs } from "./judge-inputs";
import { scheduleMessage } from "./schedule-message";
import { loadMemberships } from "./memberships";

const PAGE = 2_000;

/** Runs every inactivity rule once; returns how many spells were handled per rule. */
export async function scanInactivity(ctx: EngineContext): Promise<Record<string, number>> {
  const rules = (await loadActiveRules(ctx)).filter((r) => r.inactiveDays);
  const handled: Record<string, number> = {};
  for (const rule of rules) handled[rule.key] = await scanRule(ctx, rule);
  return handled;
}

async function scanRule(ctx: EngineContext, rule: ActiveRule): Promise<number> {
  const now = ctx.clock.now();
  const threshold = new Date(now.getTime() - (rule.inactiveDays as number) * 86_400_000);
  const settingKey = `inactivity_watermark:${rule.key}`;
  const stored = await ctx.prisma.setting.findUnique({ where: { key: settingKey } });
  if (!stored) {
    await ctx.prisma.setting.upsert({ where: { key: settingKey }, create: { key: settingKey, value: threshold.toISOString() }, update: {} });
    return 0;
  }
  let watermark = new Date(stored.value);
  let handled = 0;
  for (;;) {
    const { rows } = await ctx.database.pool.query<{ learner_id: string; course_id: string; last_activity_at: Date }>(
      `SELECT learner_id, course_id, last_activity_at FROM learner_course_state
        WHERE last_activity_at > $1 AND last_activity_at <= $2 AND ($3::text IS NULL OR course_id = $3)
        ORDER BY last_activity_at, learner_id LIMIT $4`,
      [watermark, threshold, rule.courseId, PAGE],
    );
    for (const row of rows) await fireForSpell(ctx, rule, row.learner_id, row.course_id, row.last_activity_at, now);
    handled += rows.length;
    // Advance only past what was handled; equal timestamps at a page edge are re-read and deduplicated.
    watermark = rows.length === PAGE ? rows[rows.length - 1].last_activity_at : threshold;
    await ctx.prisma.setting.update({ where: { key: settingKey }, data: { value: watermark.toISOString() } });
    if (rows.length < PAGE) return handled;
  }
}

async function fireForSpell(ctx: EngineContext, rule: ActiveRule, learnerId: string, courseId: string, lastActivityAt: Date, now: Date): Promise<void> {
  const snapshot = await loadLearnerSnapshot(ctx.database.pool, learnerId, courseId, now);
  const context = { event: null, learner: snapshot.learner, goal: snapshot.goal, assessments: snapshot.assessments, insights: snapshot.insights, state: snapshot.state };
  const isMember = rule.segmentKey ? await loadMemberships(ctx, learnerId, [rule.segmentKey], context) : () => true;
  const spellKey = `inactive:${learnerId}:${courseId}:${lastActivityAt.toISOString()}`;
  const inputs = await loadJudgeInputs(ctx, [{ learnerId, rules: [rule] }], now);
  const plan = await planNudge([rule], (r) =>
    r.segmentKey && !isMember(r.segmentKey)
      ? Promise.resolve({ type: "skip" as const, reason: "segment", details: { segmentKey: r.segmentKey } })
      : judgeRule(ctx, r, { learnerId, triggerKey: spellKey }, snapshot, now, inputs),
  );
  await scheduleMessage(ctx, { eventId: null, spellKey, learnerId, courseId, moduleId: null }, plan.winner, plan.skipped, now);
  await ctx.database.pool.query(`UPDATE learner_course_state SET inactivity_fired_at = $3 WHERE learner_id = $1 AND course_id = $2 AND last_activity_at = $4`, [
    learnerId,
    courseId,
    now,
    lastActivityAt,
  ]);
}
