/**
 * The job registry: every job the engine runs, with its queue, payload schema, options and id rule.
 * Payloads carry ids only; the database is the record, Redis only says "look at this now".
 */
import { createHash } from "node:crypto";
import { z } from "zod";

export const QUEUE_NAMES = ["match", "deliver", "maintenance"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const jobIdSafe = (prefix: string, id: string) =>
  // BullMQ job ids may not contain ':' or be integers; ids of our own (uuids) are safe, client ids get hashed.
  /^[A-Za-z0-9_-]{1,100}$/.test(id) ? `${prefix}-${id}` : `${prefix}-h${createHash("sha1").update(id).digest("hex")}`;

export const JOBS = {
  /** (2) Match one stored event against the rules (the batch job below is what the engine enqueues; this one stays for jobs already queued). */
  matchEvent: {
    queue: "match",
    name: "match-event",
    payload: z.object({ eventId: z.string().min(1) }),
    jobId: (p: { eventId: string }) => jobIdSafe("e", p.eventId),
  },
  /**
   * (2) Match the events one ingest group stored (or a chunk of stragglers the sweeper found): one job per
   * batch instead of one per event keeps Redis work per batch constant.
   */
  matchEvents: {
    queue: "match",
    name: "match-events",
    payload: z.object({ eventIds: z.array(z.string().min(1)).min(1).max(5_000) }),
    jobId: (p: { eventIds: string[] }) => `b-${createHash("sha1").update(p.eventIds.join("\n")).digest("hex")}`,
  },
  /**
   * (3) Deliver the messages one matching batch scheduled for right now (or a chunk of overdue ones the sweeper
   * found), together: one job instead of one per message keeps Redis work per batch constant. Messages due
   * later get one delayed job each (deliverMessage).
   */
  deliverMessages: {
    queue: "deliver",
    name: "deliver-messages",
    payload: z.object({ messageIds: z.array(z.string().uuid()).min(1).max(5_000) }),
    jobId: (p: { messageIds: string[] }) => `d-${createHash("sha1").update(p.messageIds.join("\n")).digest("hex")}`,
  },
  /** (3) Deliver one scheduled message when it is due. Job id = message id, so re-adding is a no-op. */
  deliverMessage: {
    queue: "deliver",
    name: "deliver-message",
    payload: z.object({ messageId: z.string().uuid() }),
    jobId: (p: { messageId: string }) => `m-${p.messageId}`,
  },
  /** Periodic: fire inactivity triggers for learners whose quiet spell crossed a rule's threshold. */
  scanInactivity: {
    queue: "maintenance",
    name: "scan-inactivity",
    payload: z.object({}),
    jobId: () => "scan-inactivity",
  },
  /** Periodic: enqueue refreshes of SQL segments whose interval has passed. */
  scheduleSegmentRefreshes: {
    queue: "maintenance",
    name: "schedule-segment-refreshes",
    payload: z.object({}),
    jobId: () => "schedule-segment-refreshes",
  },
  /** Recompute one SQL segment. */
  refreshSegment: {
    queue: "maintenance",
    name: "refresh-segment",
    /** `minute`: when it was scheduled (epoch minutes), so the id dedupes one scheduling round, not every later one. */
    payload: z.object({ segmentKey: z.string().min(1), minute: z.number().int() }),
    jobId: (p: { segmentKey: string; minute: number }) => `seg-${p.segmentKey.replace(/[^A-Za-z0-9_-]/g, "_")}-${p.minute}`,
  },
  /** Periodic: recompute the helpfulness gate's priors and review variants for auto-pause. */
  refreshLearningModel: {
    queue: "maintenance",
    name: "refresh-learning-model",
    payload: z.object({}),
    jobId: () => "refresh-learning-model",
  },
  /** Periodic: re-enqueue events and messages that were committed but never reached a queue. */
  sweep: {
    queue: "maintenance",
    name: "sweep-outbox",
    payload: z.object({}),
    jobId: () => "sweep",
  },
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS]["name"];
export type JobDefinition = (typeof JOBS)[keyof typeof JOBS];

/** Defaults for every job: retries with backoff; completed jobs kept an hour so ids keep deduplicating. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 500 },
  removeOnComplete: { age: 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
