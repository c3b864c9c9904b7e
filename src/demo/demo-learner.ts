/**
 * "Try it as a learner" (the studio): a demo learner the signed-in staff member drives from a mock lesson.
 * The staff key is used on the server to mint the learner's token and to post the lesson's events, so no
 * endpoint opens without a key. Demo learners are ordinary learners (the same matching, throttle and
 * delivery); they differ only in their ids (`demo-` + 10 hex digits, which the demo endpoints insist on, so a
 * staff key cannot post events as a real learner through them) and in living where it is daytime now.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { signLearnerToken } from "../auth/learner-tokens";
import { wallTime } from "../throttle/local-time";
import { isValidTimeZone } from "../lib/timezones";
import type { Policy } from "../throttle/policy";
import { pickDaytimeZone } from "./daytime-zone";

export const DEMO_LEARNER_ID = /^demo-[0-9a-f]{10}$/;
export const DEMO_COURSE_ID = "studio-demo";
export const DEMO_LEARNER_NAME = "Ada Lovelace";
/** How long a demo token lasts; the page asks for a new one before it runs out. */
export const DEMO_TOKEN_SECONDS = 3600;

/** The lesson's buttons: what each posts. A failed quiz is the one that triggers the retry nudge. */
export const DEMO_EVENTS = {
  "course.enrolled": { properties: {} },
  "video.completed": { moduleId: "module-1", properties: { videoId: "intro", watchedShare: 1 } },
  "quiz.submitted": { moduleId: "module-1", properties: { score: 0.4, passed: false } },
  "module.completed": { moduleId: "module-1", properties: {} },
} as const satisfies Record<string, { moduleId?: string; properties: Record<string, unknown> }>;
export type DemoEventType = keyof typeof DEMO_EVENTS;

export interface DemoLearner {
  learnerId: string;
  name: string;
  courseId: string;
  timeZone: string;
  /** The learner's wall-clock time now, "HH:MM". */
  localTime: string;
  token: string;
  expiresAt: Date;
}

/**
 * A new demo learner (no `learnerId`), or a fresh token for an existing one, who keeps the time zone their
 * profile already has. The profile itself is written by the first event, as for any learner.
 */
export async function mintDemoLearner(pool: Pool, tokenKey: string, policy: Policy, now: Date, learnerId?: string): Promise<DemoLearner> {
  const id = learnerId ?? `demo-${randomBytes(5).toString("hex")}`;
  const { rows } = learnerId ? await pool.query<{ timezone: string | null }>(`SELECT timezone FROM learners WHERE id = $1`, [id]) : { rows: [] };
  const stored = rows[0]?.timezone;
  const zone = stored && isValidTimeZone(stored) ? { timeZone: stored, localTime: hhmm(now, stored) } : pickDaytimeZone(now, policy.quietHours);
  const expiresAt = new Date(now.getTime() + DEMO_TOKEN_SECONDS * 1000);
  return { learnerId: id, name: DEMO_LEARNER_NAME, courseId: DEMO_COURSE_ID, ...zone, token: signLearnerToken(tokenKey, { learnerId: id, expiresAt }), expiresAt };
}

/** The event a lesson button posts, in the contract's shape, with the learner's profile (name, zone, locale). */
export function buildDemoEvent(learnerId: string, timeZone: string, type: DemoEventType, now: Date): Record<string, unknown> {
  const spec: { moduleId?: string; properties: Record<string, unknown> } = DEMO_EVENTS[type];
  return {
    id: `demo-${randomUUID()}`,
    type,
    learnerId,
    courseId: DEMO_COURSE_ID,
    ...(spec.moduleId ? { moduleId: spec.moduleId } : {}),
    occurredAt: now.toISOString(),
    properties: spec.properties,
    learner: { name: DEMO_LEARNER_NAME, locale: "en", timezone: timeZone },
  };
}

export interface DemoActivity {
  learner: { id: string; timeZone: string | null; localTime: string | null } | null;
  events: Array<{ id: string; type: string; occurredAt: Date; matched: boolean }>;
  /** What the engine made of them: each message with its state and, when it waits or was dropped, why. */
  messages: Array<{ id: string; ruleKey: string; templateKey: string; title: string | null; status: string; dueAt: Date; deliveredAt: Date | null; reason: string | null; explanation: string | null }>;
  /** Rules that matched but sent nothing, with the throttle's or matcher's reason. */
  skipped: Array<{ ruleKey: string | null; eventId: string | null; reason: string; explanation: string | null; at: Date }>;
}

/** The demo learner's last events and what the engine decided about them, newest first. */
export async function loadDemoActivity(pool: Pool, learnerId: string, now: Date): Promise<DemoActivity> {
  const [learner, events, messages, skipped] = await Promise.all([
    pool.query<{ id: string; timezone: string | null }>(`SELECT id, timezone FROM learners WHERE id = $1`, [learnerId]),
    pool.query<{ id: string; type: string; occurred_at: Date; matched_at: Date | null }>(
      `SELECT id, type, occurred_at, matched_at FROM events WHERE learner_id = $1 ORDER BY occurred_at DESC LIMIT 50`,
      [learnerId],
    ),
    pool.query<{
      id: string;
      rule_key: string;
      template_key: string;
      title: string | null;
      status: string;
      due_at: Date;
      delivered_at: Date | null;
      reason: string | null;
      details: { explanation?: string } | null;
    }>(
      `SELECT m.id, m.rule_key, m.template_key, m.title, m.status, m.due_at, m.delivered_at, s.reason, s.details
         FROM messages m LEFT JOIN LATERAL (SELECT reason, details FROM suppressions WHERE message_id = m.id ORDER BY created_at DESC, id DESC LIMIT 1) s ON true
        WHERE m.learner_id = $1 ORDER BY m.created_at DESC LIMIT 50`,
      [learnerId],
    ),
    pool.query<{ rule_key: string | null; event_id: string | null; reason: string; details: { explanation?: string } | null; created_at: Date }>(
      `SELECT rule_key, event_id, reason, details, created_at FROM suppressions WHERE learner_id = $1 AND message_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 50`,
      [learnerId],
    ),
  ]);
  const zone = learner.rows[0]?.timezone ?? null;
  return {
    learner: learner.rows[0] ? { id: learnerId, timeZone: zone, localTime: zone && isValidTimeZone(zone) ? hhmm(now, zone) : null } : null,
    events: events.rows.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurred_at, matched: e.matched_at !== null })),
    messages: messages.rows.map((m) => ({
      id: m.id,
      ruleKey: m.rule_key,
      templateKey: m.template_key,
      title: m.title,
      status: m.status,
      dueAt: m.due_at,
      deliveredAt: m.delivered_at,
      reason: m.reason,
      explanation: m.details?.explanation ?? null,
    })),
    skipped: skipped.rows.map((s) => ({ ruleKey: s.rule_key, eventId: s.event_id, reason: s.reason, explanation: s.details?.explanation ?? null, at: s.created_at })),
  };
}

function hhmm(now: Date, timeZone: string): string {
  const w = wallTime(now, timeZone);
  return `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}`;
}
