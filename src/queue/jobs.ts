/**
 * The job registry: every job the engine runs, with its queue, payload schema, options and id rule.
 * Payloads carry ids only; the database is the record, Redis only says "look at this now".
 *
 * Job ids. BullMQ ignores an add whose id exists in any state, kept completed and failed jobs included, so an
 * id must name exactly the unit of work that must not be queued twice:
 * - a delayed delivery is one message at one due time (`m-<message>-<due ms>`): deferring the same message to
 *   the same time twice (a retried batch) queues it once, while a re-deferral to a new time, even from inside
 *   the message's own active job, gets a job of its own;
 * - batch jobs (match, deliver) get an id per enqueue: re-adding work that still needs doing (a sweep, an
 *   operator's retry) must never be swallowed by a kept job of the same items. Their duplicate protection is
 *   elsewhere: ingest enqueues only newly stored events, and the sweeper re-enqueues only items no live job
 *   holds (src/maintenance/sweep-outbox.ts), so a batch id has nothing left to deduplicate.
 */
import { randomUUID, createHash } from "node:crypto";
import { z } from "zod";

export const QUEUE_NAMES = ["match", "deliver", "maintenance"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const jobIdSafe = (prefix: string, id: string) =>
  // BullMQ job ids may not contain ':' or be integers; ids of our own (uuids) are safe, client ids get hashed.
  /^[A-Za-z0-9_-]{1,100}$/.test(id) ? `${prefix}-${id}` : `${prefix}-h${createHash("sha1").update(id).digest("hex")}`;

/** An id per enqueue, for batch jobs (see the header). */
const freshId = (prefix: string) => `${prefix}-${randomUUID()}`;

/** Per-job overrides of DEFAULT_JOB_OPTIONS. */
interface JobOverrides {
  removeOnComplete?: boolean;
  removeOnFail?: boolean;
}

interface JobSpec<P extends z.ZodType, Q extends QueueName = QueueName> {
  queue: Q;
  name: string;
  payload: P;
  jobId: (payload: z.infer<P>) => string;
  /** The events or messages a job works on (read by the sweeper to tell live work from orphaned work). */
  items?: (payload: z.infer<P>) => string[];
  /** The item a job id names, for jobs whose id carries it (read without loading the job). */
  itemOfJobId?: (jobId: string) => string | null;
  options?: JobOverrides;
}

/** Keeps each entry's payload type attached to its functions, and its queue's name as a literal. */
const job = <P extends z.ZodType, Q extends QueueName>(spec: JobSpec<P, Q>): JobSpec<P, Q> => spec;

const DELAYED_DELIVERY_ID = /^m-([0-9a-fA-F-]{36})(?:-\d+)?$/;

export const JOBS = {
  /** (2) Match one stored event against the rules (the batch job below is what the engine enqueues; this one stays for jobs already queued). */
  matchEvent: job({
    queue: "match",
    name: "match-event",
    payload: z.object({ eventId: z.string().min(1) }),
    jobId: (p) => jobIdSafe("e", p.eventId),
    items: (p) => [p.eventId],
  }),
  /**
   * (2) Match the events one ingest group stored (or a chunk of orphans the sweeper found): one job per
   * batch instead of one per event keeps Redis work per batch constant.
   */
  matchEvents: job({
    queue: "match",
    name: "match-events",
    payload: z.object({ eventIds: z.array(z.string().min(1)).min(1).max(5_000) }),
    jobId: () => freshId("b"),
    items: (p) => p.eventIds,
  }),
  /**
   * (3) Deliver the messages one matching batch scheduled for right now (or a chunk of overdue ones the sweeper
   * found), together: one job instead of one per message keeps Redis work per batch constant. Messages due
   * later get one delayed job each (deliverMessage).
   */
  deliverMessages: job({
    queue: "deliver",
    name: "deliver-messages",
    payload: z.object({ messageIds: z.array(z.string().uuid()).min(1).max(5_000) }),
    jobId: () => freshId("d"),
    items: (p) => p.messageIds,
  }),
  /**
   * (3) Deliver one scheduled message when it is due. `dueAt` (epoch ms) is the due time the job was queued
   * for; it is absent only in jobs queued before it existed.
   */
  deliverMessage: job({
    queue: "deliver",
    name: "deliver-message",
    payload: z.object({ messageId: z.string().uuid(), dueAt: z.number().int().nonnegative().optional() }),
    jobId: (p) => (p.dueAt === undefined ? `m-${p.messageId}` : `m-${p.messageId}-${p.dueAt}`),
    items: (p) => [p.messageId],
    itemOfJobId: (jobId) => DELAYED_DELIVERY_ID.exec(jobId)?.[1] ?? null,
    // Its row records every outcome (a failure too), and a kept finished job would swallow a later add of the
    // same message and due time (a job that ran before its due time on a skewed clock must be able to requeue).
    options: { removeOnComplete: true, removeOnFail: true },
  }),
  /** Periodic: fire inactivity triggers for learners whose quiet spell crossed a rule's threshold. */
  scanInactivity: job({
    queue: "maintenance",
    name: "scan-inactivity",
    payload: z.object({}),
    jobId: () => "scan-inactivity",
  }),
  /** Periodic: enqueue refreshes of SQL segments whose interval has passed. */
  scheduleSegmentRefreshes: job({
    queue: "maintenance",
    name: "schedule-segment-refreshes",
    payload: z.object({}),
    jobId: () => "schedule-segment-refreshes",
  }),
  /** Recompute one SQL segment. */
  refreshSegment: job({
    queue: "maintenance",
    name: "refresh-segment",
    /** `minute`: when it was scheduled (epoch minutes), so the id dedupes one scheduling round, not every later one. */
    payload: z.object({ segmentKey: z.string().min(1), minute: z.number().int() }),
    jobId: (p) => `seg-${p.segmentKey.replace(/[^A-Za-z0-9_-]/g, "_")}-${p.minute}`,
  }),
  /** Periodic: recompute the helpfulness gate's priors and review variants for auto-pause. */
  refreshLearningModel: job({
    queue: "maintenance",
    name: "refresh-learning-model",
    payload: z.object({}),
    jobId: () => "refresh-learning-model",
  }),
  /** Periodic: re-enqueue events and messages that were committed but are held by no live job. */
  sweep: job({
    queue: "maintenance",
    name: "sweep-outbox",
    payload: z.object({}),
    jobId: () => "sweep",
  }),
};

export type JobKey = keyof typeof JOBS;
/** A job's payload, as its schema parses it. */
export type PayloadOf<K extends JobKey> = z.infer<(typeof JOBS)[K]["payload"]>;
/** The registry keys of the jobs one queue runs. */
export type JobKeysOf<Q extends QueueName> = { [K in JobKey]: (typeof JOBS)[K]["queue"] extends Q ? K : never }[JobKey];
export type JobDefinition = (typeof JOBS)[JobKey];

/** The registry entry of a job name (as BullMQ stores it), if any. */
export function jobByName(name: string): { key: JobKey; definition: JobSpec<z.ZodType> } | null {
  for (const [key, definition] of Object.entries(JOBS) as Array<[JobKey, JobSpec<z.ZodType>]>) if (definition.name === name) return { key, definition };
  return null;
}

/**
 * Defaults for every job: retries with backoff (the last attempt isolates poison, see src/queue/isolate-failures.ts).
 * Finished jobs are kept for inspection only, bounded in count so a backlog's history cannot fill Redis; no id
 * relies on them for deduplication (see the header).
 */
export function defaultJobOptions(attempts: number) {
  return {
    attempts,
    backoff: { type: "exponential", delay: 500 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  } as const;
}

/** Periodic maintenance jobs: scheduler id, period, job. Re-created whenever Redis lost them (src/queue/queue-keeper.ts). */
export interface MaintenanceSchedule {
  id: string;
  everyMs: number;
  job: "sweep" | "scanInactivity" | "refreshLearningModel" | "scheduleSegmentRefreshes";
}

/**
 * The maintenance schedules. Segment refreshes are found by a once-a-minute scan of `segments` rather than one
 * scheduler per segment, so the database stays the record of each segment's interval and a Redis loss forgets nothing.
 */
export function maintenanceSchedules(config: { sweepEveryMs: number; learningModelEveryMs: number }): MaintenanceSchedule[] {
  return [
    { id: "sweep-outbox", everyMs: config.sweepEveryMs, job: "sweep" },
    { id: "scan-inactivity", everyMs: 5 * 60_000, job: "scanInactivity" },
    { id: "refresh-learning-model", everyMs: config.learningModelEveryMs, job: "refreshLearningModel" },
    { id: "schedule-segment-refreshes", everyMs: 60_000, job: "scheduleSegmentRefreshes" },
  ];
}
