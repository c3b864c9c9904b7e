/**
 * Competing nudges across events: with a policy `decisionWindowMinutes` W, a message is not delivered when
 * another message for the same learner, matched within W of it (before or after), outranks it — higher
 * priority, or equal priority and matched first (then by id), so exactly one of any pair wins. Competitors
 * that were delivered, are still scheduled, or hold a holdout slot count; suppressed ones do not. Every
 * message waits at least W before delivery (judge-rule.ts), so all of its competitors exist by then.
 */
import type { Pool, PoolClient } from "pg";
import type { ScheduledMessage } from "./scheduled-message";

export interface Outranking {
  messageId: string;
  ruleKey: string;
  priority: number;
}

/** The message that outranks `message` within its decision window, or null when it may go. */
export async function findOutrankingMessage(client: Pool | PoolClient, message: ScheduledMessage, windowMinutes: number): Promise<Outranking | null> {
  if (windowMinutes <= 0) return null;
  const { rows } = await client.query<{ id: string; rule_key: string; priority: number }>(
    `SELECT id, rule_key, priority FROM messages
      WHERE learner_id = $1 AND id <> $2 AND status IN ('scheduled', 'delivered', 'held_out')
        AND created_at BETWEEN $3::timestamptz - make_interval(mins => $5) AND $3::timestamptz + make_interval(mins => $5)
        AND (priority > $4 OR (priority = $4 AND (created_at, id) < ($3::timestamptz, $2::uuid)))
      ORDER BY priority DESC, created_at, id LIMIT 1`,
    [message.learnerId, message.id, message.createdAt, message.priority, windowMinutes],
  );
  return rows[0] ? { messageId: rows[0].id, ruleKey: rows[0].rule_key, priority: rows[0].priority } : null;
}
