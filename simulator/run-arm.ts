/**
 * One simulated arm: hour by hour, learners study (events through the real ingest), the real matcher
 * decides, due messages go through the real delivery, learners react through the real feedback use case,
 * and the learning model refreshes every 6 simulated hours — all on an injectable clock. Within an hour the
 * phases run in order (ingest+match, deliver, feedback) so concurrency between learners never changes
 * what a decision sees: the same seed gives the same run.
 */
import type { EngineContext } from "../src/context";
import type { ManualClock } from "../src/lib/clock";
import { parseEvents } from "../src/ingest/parse-events";
import { recordEvents } from "../src/ingest/record-events";
import { matchStoredEvent } from "../src/matching/match-stored-event";
import { deliverMessage } from "../src/delivery/deliver-message";
import { submitFeedback } from "../src/feedback/submit-feedback";
import { refreshLearningModel } from "../src/experiments/refresh-learning-model";
import { BOOST_DAYS, NUDGE_BOOST, draw, type SimLearner, type SimVariant } from "./population";
import { COURSE } from "./scenario";
import { DAY_MS, HOUR_MS } from "./time";

export interface Assignment {
  at: number;
  variant: SimVariant;
  /** Votes recorded (all variants) before this assignment: "traffic after 2,000 votes". */
  votesBefore: number;
  learner: SimLearner;
}

export interface ArmOutcome {
  delivered: number;
  helpful: number;
  notHelpful: number;
  assignments: Assignment[];
  /**
   * Expected helpful and not-helpful votes, summed over deliveries from each learner's true probabilities:
   * the same quantities as the realized counts without the noise of the vote draws, so the gate's effect
   * (a few percent) is not lost in it. The gate targets are judged on these.
   */
  expectedHelpful: number;
  expectedNotHelpful: number;
  /** Expected helpful votes lost to not sending the truly better variant, summed over deliveries. */
  regret: number;
  learners: number;
}

/** Runs `days` simulated days from the clock's current time; `onDay` reports progress. */
export async function runArm(ctx: EngineContext, clock: ManualClock, learners: SimLearner[], days: number, seed: string, onDay?: (day: number) => void): Promise<ArmOutcome> {
  const byId = new Map(learners.map((l) => [l.id, l]));
  const lastDelivered = new Map<string, number>();
  const outcome: ArmOutcome = { delivered: 0, helpful: 0, notHelpful: 0, expectedHelpful: 0, expectedNotHelpful: 0, assignments: [], regret: 0, learners: learners.length };
  const start = clock.now().getTime();
  const byHour = new Map<number, SimLearner[]>();
  for (const l of learners) byHour.set(l.studyHourUtc, [...(byHour.get(l.studyHourUtc) ?? []), l]);

  for (let hour = 0; hour < days * 24; hour++) {
    const now = start + hour * HOUR_MS;
    clock.set(now);
    const day = Math.floor(hour / 24);
    const studying = (byHour.get(new Date(now).getUTCHours()) ?? []).filter((l) => draw(seed, l.id, day, "study") < l.activity);

    // Phase 1: study sessions become events, stored by the real ingest and matched by the real matcher.
    const events = studying.flatMap((l) => {
      const boosted = lastDelivered.has(l.id) && now - lastDelivered.get(l.id)! <= BOOST_DAYS * DAY_MS;
      const completes = draw(seed, l.id, day, "complete") < Math.min(1, l.completion * (boosted ? NUDGE_BOOST : 1));
      const base = { learnerId: l.id, courseId: COURSE, occurredAt: new Date(now).toISOString(), learner: { timezone: l.timezone } };
      return [
        { ...base, id: `${l.id}-d${day}-watch`, type: "video.watched" },
        ...(completes ? [{ ...base, id: `${l.id}-d${day}-done`, type: "module.completed", moduleId: `m${day}` }] : []),
      ];
    });
    if (events.length) {
      await recordEvents(ctx.database.pool, parseEvents({ events }, new Date(now)), new Date(now));
      await forEachLearner(events, (e) => e.learnerId, (e) => matchStoredEvent(ctx, e.id));
    }

    // Phase 2: every message due by now goes through the real delivery (as the delivery worker would).
    // The variant was fixed at match time, so it is read with the due list rather than after each delivery.
    // Message ids are random UUIDs; the dedupe key (rule|event) is not, so it orders the work and names the draws.
    const { rows: due } = await ctx.database.pool.query<{ id: string; dedupe_key: string; learner_id: string; variant: SimVariant }>(
      `SELECT id, dedupe_key, learner_id, variant FROM messages WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at, dedupe_key`, [new Date(now)]);
    const votesBefore = outcome.helpful + outcome.notHelpful;
    const delivered: Array<{ id: string; key: string; learner: SimLearner; variant: SimVariant }> = [];
    await forEachLearner(due, (m) => m.learner_id, async (m) => {
      if ((await deliverMessage(ctx, m.id)).type !== "delivered") return;
      delivered.push({ id: m.id, key: m.dedupe_key, learner: byId.get(m.learner_id)!, variant: m.variant });
    });
    delivered.sort((a, b) => a.key.localeCompare(b.key));

    // Phase 3: learners react, through the real feedback use case.
    await forEachLearner(delivered, (d) => d.learner.id, async ({ id, key, learner, variant }) => {
      lastDelivered.set(learner.id, now);
      outcome.delivered++;
      outcome.assignments.push({ at: now, variant, votesBefore, learner });
      outcome.expectedHelpful += learner.seen * learner.voting * learner.helpful[variant];
      outcome.expectedNotHelpful += learner.seen * learner.voting * (1 - learner.helpful[variant]);
      outcome.regret += learner.voting * (Math.max(learner.helpful.A, learner.helpful.B) - learner.helpful[variant]);
      const feedback = async (type: "seen" | "dismissed" | "helpful" | "not_helpful") => submitFeedback(ctx, id, { learnerId: learner.id, type });
      if (draw(seed, key, "seen") >= learner.seen) return;
      await feedback("seen");
      if (draw(seed, key, "vote") < learner.voting) {
        const helpful = draw(seed, key, "helpful") < learner.helpful[variant];
        await feedback(helpful ? "helpful" : "not_helpful");
        if (helpful) outcome.helpful++;
        else outcome.notHelpful++;
        if (helpful) return;
      }
      if (draw(seed, key, "dismiss") < learner.dismiss) await feedback("dismissed");
    });

    if (hour % 6 === 5) await refreshLearningModel(ctx);
    if (hour % 24 === 23) onDay?.(day + 1);
  }
  return outcome;
}

/** Runs `work` for every item, items of one learner in order, up to 8 learners at once. */
async function forEachLearner<T>(items: T[], learnerOf: (item: T) => string, work: (item: T) => Promise<unknown>): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(learnerOf(item), [...(groups.get(learnerOf(item)) ?? []), item]);
  const queue = [...groups.values()];
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, async () => {
    for (let group = queue.shift(); group; group = queue.shift()) for (const item of group) await work(item);
  }));
}
