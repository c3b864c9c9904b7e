/** Loads messages with what delivery needs of its rule, its triggering event and its variant's pause, in one query. */
import type { Pool, PoolClient } from "pg";

export interface ScheduledMessage {
  id: string;
  learnerId: string;
  courseId: string | null;
  moduleId: string | null;
  eventId: string | null;
  ruleKey: string;
  status: string;
  templateKey: string;
  templateVersion: number;
  variant: string;
  kind: string;
  essential: boolean;
  dueAt: Date;
  expiresAt: Date | null;
  rule: { cooldownHours: number | null; maxPerLearner: number | null };
  priority: number;
  createdAt: Date;
  /** The triggering event as templates see it (`event.type`, `event.properties`); null for inactivity spells. */
  event: { type: string; properties: Record<string, unknown> } | null;
  /** Whether the message's variant is paused now (see variant-to-deliver.ts). */
  variantPaused: boolean;
  /** Its rule was disabled after the message was scheduled: an operator stopping a misfiring rule stops its queue too. */
  ruleDisabled: boolean;
}

/** The messages of these ids that exist, by id, in one query (a deleted rule keeps its limits for messages already scheduled). */
export async function loadScheduledMessages(client: Pool | PoolClient, ids: string[]): Promise<Map<string, ScheduledMessage>> {
  const messages = new Map<string, ScheduledMessage>();
  if (ids.length === 0) return messages;
  const { rows } = await client.query(
    `SELECT m.id, m.status, m.learner_id, m.course_id, m.module_id, m.event_id, m.rule_key, m.template_key, m.template_version, m.variant,
            m.kind, m.essential, m.due_at, m.expires_at, m.priority, m.created_at, r.cooldown_hours, r.max_per_learner, r.enabled AS rule_enabled, e.type AS event_type, e.properties AS event_properties,
            EXISTS (SELECT 1 FROM variant_pauses p WHERE p.template_key = m.template_key AND p.variant_key = m.variant AND p.unpaused_at IS NULL) AS variant_paused
       FROM messages m LEFT JOIN rules r ON r.key = m.rule_key LEFT JOIN events e ON e.id = m.event_id WHERE m.id = ANY($1::uuid[])`,
    [ids],
  );
  for (const r of rows) {
    messages.set(r.id, {
      id: r.id,
      learnerId: r.learner_id,
      courseId: r.course_id,
      moduleId: r.module_id,
      eventId: r.event_id,
      ruleKey: r.rule_key,
      status: r.status,
      templateKey: r.template_key,
      templateVersion: r.template_version,
      variant: r.variant,
      kind: r.kind,
      essential: r.essential,
      dueAt: r.due_at,
      expiresAt: r.expires_at,
      rule: { cooldownHours: r.cooldown_hours, maxPerLearner: r.max_per_learner },
      priority: r.priority,
      createdAt: r.created_at,
      event: r.event_type ? { type: r.event_type, properties: r.event_properties ?? {} } : null,
      variantPaused: r.variant_paused,
      ruleDisabled: r.rule_enabled === false,
    });
  }
  return messages;
}
