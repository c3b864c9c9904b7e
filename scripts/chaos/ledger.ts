/**
 * The suite's invariants, read from the scenario's database after the fact: every acknowledged event stored
 * once, matched, and delivered as exactly one message; nothing delivered twice. "Lost" is an acknowledged event
 * not stored, or stored but never matched or never delivered by the end; "duplicated" is more than one message
 * for a (rule, event), more than one delivered message for an event, or an event stored twice.
 */
import type { Pool } from "pg";

export interface Tally {
  sent: number;
  acknowledged: number;
  stored: number;
  matched: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Acknowledged events that are not stored (the worst kind of loss). */
  notStored: number;
  /** Stored, acknowledged events not matched. */
  unmatched: number;
  /** Matched events without a delivered message (expected ones only). */
  undelivered: number;
  /** Messages still `scheduled` for these events. */
  scheduled: number;
  /** Events of the run marked failed (poison). */
  isolated: number;
}

/** Counts the run's events in the database; `expectDelivery` (default: all acknowledged) is who must have a delivered message. */
export async function tally(db: Pool, sent: string[], acknowledged: string[], expectDelivery: string[] = acknowledged): Promise<Tally> {
  const one = async (sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
  const stored = await one(`SELECT count(*) AS n FROM events WHERE id = ANY($1)`, [sent]);
  const storedAcked = await one(`SELECT count(*) AS n FROM events WHERE id = ANY($1)`, [acknowledged]);
  const matched = await one(`SELECT count(*) AS n FROM events WHERE id = ANY($1) AND matched_at IS NOT NULL`, [acknowledged]);
  const isolated = await one(`SELECT count(*) AS n FROM events WHERE id = ANY($1) AND match_failed_at IS NOT NULL`, [sent]);
  const delivered = await one(`SELECT count(DISTINCT event_id) AS n FROM messages WHERE event_id = ANY($1) AND status = 'delivered'`, [acknowledged]);
  // A message its rule's disabling stopped (suppressed as rule.disabled) is settled by the operator's decision, not lost.
  const deliveredExpected = await one(`SELECT count(DISTINCT event_id) AS n FROM messages WHERE event_id = ANY($1) AND (status = 'delivered' OR (status = 'suppressed' AND error = 'rule.disabled'))`, [
    expectDelivery,
  ]);
  const scheduled = await one(`SELECT count(*) AS n FROM messages WHERE event_id = ANY($1) AND status = 'scheduled'`, [sent]);
  const twiceDelivered = await one(`SELECT count(*) AS n FROM (SELECT event_id FROM messages WHERE event_id = ANY($1) AND status = 'delivered' GROUP BY event_id HAVING count(*) > 1) d`, [sent]);
  const twicePerRule = await one(`SELECT count(*) AS n FROM (SELECT rule_key, event_id FROM messages WHERE event_id = ANY($1) GROUP BY rule_key, event_id HAVING count(*) > 1) d`, [sent]);
  // The primary key forbids it; counted anyway, so a schema change that loosened it would show here.
  const storedTwice = await one(`SELECT count(*) AS n FROM (SELECT id FROM events WHERE id = ANY($1) GROUP BY id HAVING count(*) > 1) d`, [sent]);
  const notStored = acknowledged.length - storedAcked;
  const unmatched = storedAcked - matched;
  const undelivered = expectDelivery.length - deliveredExpected;
  return {
    sent: sent.length,
    acknowledged: acknowledged.length,
    stored,
    matched,
    delivered,
    notStored,
    unmatched,
    undelivered,
    scheduled,
    isolated,
    // An event can be both unmatched and undelivered: count it once.
    lost: notStored + Math.max(unmatched, undelivered),
    duplicated: twiceDelivered + twicePerRule + storedTwice,
  };
}

/** How many of `ids` have a delivered message (for waiting and for time-to-recover). */
export async function countDelivered(db: Pool, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await db.query<{ n: string }>(`SELECT count(DISTINCT event_id) AS n FROM messages WHERE event_id = ANY($1) AND status = 'delivered'`, [ids]);
  return Number(rows[0].n);
}
