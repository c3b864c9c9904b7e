/**
 * Runs many experiments side by side through the production paths, hour by hour on a manual clock:
 *
 *   1. learners who study this hour send their events in requests of up to 500, all at once, through ingest's
 *      group commit (the committer the HTTP route uses), which publishes match batches to the real queue;
 *   2. the real workers match them in chunks (matchEventBatch → matchStoredEvents) and deliver through the
 *      batch path (deliverMessages), delayed deliveries promoted on the simulated clock (sim-queues.ts);
 *   3. learners react to what was delivered (seen, vote, dismiss), written for the hour at once with the feedback
 *      use case's changes and its auto-pause review (learner-feedback.ts says why not one call per reaction);
 *   4. every `modelEveryHours` the learning-model job runs (the maintenance worker's handler), and every hour the
 *      outbox sweeper, which production runs every few seconds.
 *
 * The phases of an hour run in order, so concurrency between learners never changes what a decision sees.
 * Every draw is named after something stable (person, day, what), never a random message id, so a seed
 * reproduces a run and the arms of a seed see the same learners making the same choices.
 */
import type { EngineContext } from "../src/context";
import type { ManualClock } from "../src/lib/clock";
import { parseEvents } from "../src/ingest/parse-events";
import { MAX_BATCH } from "../src/ingest/event.schema";
import { groupCommitterFor } from "../src/ingest/group-commit";
import { maintenanceHandlers } from "../workers/maintenance.worker";
import { sweepOutbox } from "../src/maintenance/sweep-outbox";
import { BOOST_DAYS, draw, pHelpfulVote, pNotHelpfulVote, type SimLearner, type SimVariant } from "./population";
import type { ArmKey } from "./scenario";
import { SimulatedQueues } from "./sim-queues";
import { applyLearnerFeedback, type FeedbackType, type LearnerFeedback } from "./learner-feedback";
import { DAY_MS, HOUR_MS } from "./time";

/** One experiment: a family's seed in one arm, with its own rule, template, course (all named `key`) and learners. */
export interface Experiment {
  key: string;
  family: string;
  seed: string;
  arm: ArmKey;
  /** Tells apart experiments of one arm with different knobs (tuning). */
  label: string;
  learners: SimLearner[];
  /** The variant with the higher true helpful rate, or null when they are equal. */
  best: SimVariant | null;
}

/** What one experiment did, from the simulator's side (it knows each learner's truth). */
export interface Tally {
  delivered: number;
  byVariant: Record<SimVariant, number>;
  helpful: number;
  notHelpful: number;
  /** Expected helpful / not-helpful votes: each delivery's true probabilities, without the noise of the vote draws. */
  expectedHelpful: number;
  expectedNotHelpful: number;
  /** Expected helpful votes lost to not sending the learner's better variant. */
  regret: number;
  /** The same for a fixed 50/50 split of the same deliveries: what the split would have lost on them. */
  splitRegret: number;
  /** Deliveries made once the experiment had `votesForShare` votes, and how many went to the best variant. */
  afterVotes: { delivered: number; onBest: number };
}

/** Where the wall-clock time of a run went, per phase (for the report: what the simulator spends its time on). */
export interface Timings {
  ingestMs: number;
  matchAndDeliverMs: number;
  feedbackMs: number;
  learningModelMs: number;
  events: number;
  delivered: number;
  /** Work the sweeper found held by no job and enqueued again (an enqueue that failed, e.g. Redis too slow): 0 normally. */
  requeued: { events: number; messages: number };
}

export interface WorldOptions {
  days: number;
  votesForShare: number;
  /** The learning-model job's period in simulated hours (production: COACH_LEARNING_MODEL_EVERY_MS). */
  modelEveryHours: number;
  progress?: (day: number) => void;
}

/** Runs `experiments` (already configured in the engine) for `options.days` from the clock's time. */
export async function runWorld(ctx: EngineContext, clock: ManualClock, experiments: Experiment[], options: WorldOptions): Promise<{ tallies: Map<string, Tally>; timings: Timings }> {
  const tallies = new Map(experiments.map((e) => [e.key, emptyTally()]));
  const timings: Timings = { ingestMs: 0, matchAndDeliverMs: 0, feedbackMs: 0, learningModelMs: 0, events: 0, delivered: 0, requeued: { events: 0, messages: 0 } };
  const learnerById = new Map<string, { learner: SimLearner; experiment: Experiment }>();
  const byHour = new Map<number, Array<{ id: string; learner: SimLearner; experiment: Experiment }>>();
  for (const experiment of experiments) {
    for (const [i, learner] of experiment.learners.entries()) {
      const id = `${experiment.key}-${i}`;
      learnerById.set(id, { learner, experiment });
      const slot = byHour.get(learner.studyHourUtc) ?? [];
      slot.push({ id, learner, experiment });
      byHour.set(learner.studyHourUtc, slot);
    }
  }
  const lastDelivered = new Map<string, number>();
  const committer = groupCommitterFor(ctx);
  const maintenance = maintenanceHandlers(ctx);
  const queues = new SimulatedQueues(ctx);
  const start = clock.now().getTime();
  try {
    for (let hour = 0; hour < options.days * 24; hour++) {
      const now = start + hour * HOUR_MS;
      clock.set(now);
      const day = Math.floor(hour / 24);
      // 0. The outbox sweeper, as production runs it every few seconds: anything committed in an earlier hour
      // whose enqueue failed is enqueued again now, instead of silently never running.
      if (hour > 0) {
        const swept = await sweepOutbox(ctx);
        timings.requeued.events += swept.eventsRequeued;
        timings.requeued.messages += swept.messagesRequeued;
      }

      // 1. Study sessions become events; requests of up to 500 go to the group committer together.
      const events = (byHour.get(new Date(now).getUTCHours()) ?? []).flatMap(({ id, learner, experiment }) => {
        if (draw(experiment.seed, learner.person, day, "study") >= learner.activity) return [];
        const boosted = lastDelivered.has(id) && now - lastDelivered.get(id)! <= BOOST_DAYS * DAY_MS;
        const completes = draw(experiment.seed, learner.person, day, "complete") < Math.min(1, learner.completion * (boosted ? learner.boost : 1));
        const base = { learnerId: id, courseId: experiment.key, occurredAt: new Date(now).toISOString(), learner: { timezone: learner.timezone } };
        return [{ ...base, id: `${id}-d${day}-watch`, type: "video.watched" }, ...(completes ? [{ ...base, id: `${id}-d${day}-done`, type: "module.completed", moduleId: `m${day}` }] : [])];
      });
      const requests = Array.from({ length: Math.ceil(events.length / MAX_BATCH) }, (_, i) => events.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH));
      let lap = performance.now();
      const phase = (name: "ingestMs" | "matchAndDeliverMs" | "feedbackMs" | "learningModelMs") => {
        const at = performance.now();
        timings[name] += at - lap;
        lap = at;
      };
      const recorded = await Promise.all(requests.map((chunk) => committer.record(parseEvents({ events: chunk }, new Date(now)), new Date(now))));
      phase("ingestMs");

      // 2. Matching and delivery run in the workers; wait for them (and for delayed deliveries now due).
      await queues.settle(recorded.flatMap((r) => r.acceptedIds));
      phase("matchAndDeliverMs");
      const delivered = await deliveredAt(ctx, new Date(now));
      timings.events += events.length;
      timings.delivered += delivered.length;

      // 3. Learners react: the votes teach the bandit, the gate and auto-pause.
      const votesBefore = new Map(experiments.map((e) => [e.key, tallies.get(e.key)!.helpful + tallies.get(e.key)!.notHelpful]));
      const feedback: LearnerFeedback[] = [];
      for (const message of delivered) {
        const known = learnerById.get(message.learnerId);
        if (!known) continue;
        const { learner, experiment } = known;
        const tally = tallies.get(experiment.key)!;
        lastDelivered.set(message.learnerId, now);
        count(tally, learner, message.variant, experiment.best, votesBefore.get(experiment.key)! >= options.votesForShare);
        // Draws are named after the trigger (person and the day of the event), the same in every arm.
        const trigger = [experiment.seed, learner.person, message.eventId?.replace(/^.*-d(\d+)-watch$/, "$1") ?? "inactive"];
        const give = (type: FeedbackType) => feedback.push({ messageId: message.id, learnerId: message.learnerId, type });
        if (draw(...trigger, "seen") >= learner.seen) continue;
        give("seen");
        if (draw(...trigger, "vote") < learner.voting) {
          const helpful = draw(...trigger, "helpful") < learner.helpful[message.variant];
          give(helpful ? "helpful" : "not_helpful");
          if (helpful) tally.helpful++;
          else tally.notHelpful++;
          if (helpful) continue;
        }
        if (draw(...trigger, "dismiss") < learner.dismiss) give("dismissed");
      }
      await applyLearnerFeedback(ctx, feedback);
      phase("feedbackMs");
      // 4. The learning model's periodic job, on the simulated schedule.
      if (hour % options.modelEveryHours === options.modelEveryHours - 1) await maintenance.refreshLearningModel({}, { id: "simulated", attempt: 1, finalAttempt: true });
      phase("learningModelMs");
      if (hour % 24 === 23) options.progress?.(day + 1);
    }
  } finally {
    await queues.close();
  }
  return { tallies, timings };
}

function emptyTally(): Tally {
  return { delivered: 0, byVariant: { A: 0, B: 0 }, helpful: 0, notHelpful: 0, expectedHelpful: 0, expectedNotHelpful: 0, regret: 0, splitRegret: 0, afterVotes: { delivered: 0, onBest: 0 } };
}

function count(tally: Tally, learner: SimLearner, variant: SimVariant, best: SimVariant | null, afterVotes: boolean): void {
  tally.delivered++;
  tally.byVariant[variant]++;
  tally.expectedHelpful += pHelpfulVote(learner, variant);
  tally.expectedNotHelpful += pNotHelpfulVote(learner, variant);
  const better = Math.max(pHelpfulVote(learner, "A"), pHelpfulVote(learner, "B"));
  tally.regret += better - pHelpfulVote(learner, variant);
  tally.splitRegret += better - (pHelpfulVote(learner, "A") + pHelpfulVote(learner, "B")) / 2;
  if (afterVotes) {
    tally.afterVotes.delivered++;
    if (variant === best) tally.afterVotes.onBest++;
  }
}

interface DeliveredMessage {
  id: string;
  learnerId: string;
  eventId: string | null;
  variant: SimVariant;
}

/**
 * The messages delivered at `at` — what each learner's inbox shows them this hour. Deliveries are stamped with
 * the clock's time, which stands still within a simulated hour; the (status, due_at) index bounds the read to
 * messages due in the last two days (deferrals are hours, never days).
 */
async function deliveredAt(ctx: EngineContext, at: Date): Promise<DeliveredMessage[]> {
  const { rows } = await ctx.database.pool.query<{ id: string; learner_id: string; event_id: string | null; variant: SimVariant }>(
    `SELECT id, learner_id, event_id, variant FROM messages
      WHERE status = 'delivered' AND due_at <= $1 AND due_at > $1 - interval '2 days' AND delivered_at = $1
      ORDER BY learner_id, id`,
    [at],
  );
  return rows.map((r) => ({ id: r.id, learnerId: r.learner_id, eventId: r.event_id, variant: r.variant }));
}
