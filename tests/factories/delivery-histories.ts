/**
 * Delivered-message histories of learners of several kinds, drawn from a seeded stream (a failure is
 * reproducible) and inserted as the delivery worker would have written them: for tests of what the throttle
 * reads of a learner (delivery-history-bound, delivery-state-reuse).
 */
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import type { HistoryMessage } from "../../src/throttle/decide";

/** How often a kind of learner sees, dismisses, votes, answers; how many deliveries (inclusive range) over how many days. */
export interface LearnerKind {
  seen: number;
  dismiss: number;
  helpful: number;
  notHelpful: number;
  respond: number;
  n: [number, number];
  days: number;
}

export interface HistoryRow extends HistoryMessage {
  id: string;
  learnerId: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** mulberry32: a seeded stream. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `learners` learners named `<prefix>-<i>`, of the kinds in turn, each with deliveries of `rules` before `now`
 * (whole seconds, an hour or more before it; some at the very same instant, a tie, on the first rule).
 */
export function drawHistories(options: { seed: number; prefix: string; learners: number; kinds: LearnerKind[]; rules: string[]; now: Date }): { learners: string[]; rows: HistoryRow[] } {
  const { kinds, rules, now } = options;
  const random = seeded(options.seed);
  const learners: string[] = [];
  const rows: HistoryRow[] = [];
  for (let l = 0; l < options.learners; l++) {
    const kind = kinds[l % kinds.length];
    const learnerId = `${options.prefix}-${l}`;
    learners.push(learnerId);
    const n = kind.n[0] + Math.floor(random() * (kind.n[1] - kind.n[0] + 1));
    for (let i = 0; i < n; i++) {
      const at = new Date(now.getTime() - Math.floor((random() * kind.days * DAY) / 1000) * 1000 - HOUR);
      const seenAt = random() < kind.seen ? new Date(at.getTime() + 60_000) : null;
      const dismissedAt = random() < kind.dismiss ? new Date(at.getTime() + 120_000) : null;
      const r = random();
      const vote = r < kind.helpful ? "helpful" : r < kind.helpful + kind.notHelpful ? "not_helpful" : null;
      const respondedAt = random() < kind.respond ? new Date(at.getTime() + 180_000) : null;
      const row: HistoryRow = { id: randomUUID(), learnerId, ruleKey: rules[Math.floor(random() * rules.length)], deliveredAt: at, seenAt, dismissedAt, vote, respondedAt };
      rows.push(row);
      if (random() < 0.05) rows.push({ ...row, id: randomUUID(), ruleKey: rules[0] });
    }
  }
  return { learners, rows };
}

/** Inserts the rows as delivered nudges (template `t`, variant A), in one statement. */
export async function insertDeliveredHistory(pool: Pool, rows: HistoryRow[]): Promise<void> {
  await pool.query(
    `INSERT INTO messages (id, dedupe_key, learner_id, rule_key, template_key, template_version, variant, kind, status, due_at, created_at, delivered_at, seen_at, dismissed_at, vote, responded_at)
     SELECT id, 'h|' || id, learner_id, rule_key, 't', 1, 'A', 'nudge', 'delivered', delivered_at, delivered_at, delivered_at, seen_at, dismissed_at, vote, responded_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::timestamptz[])
         AS t(id, learner_id, rule_key, delivered_at, seen_at, dismissed_at, vote, responded_at)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.learnerId),
      rows.map((r) => r.ruleKey),
      rows.map((r) => r.deliveredAt),
      rows.map((r) => r.seenAt),
      rows.map((r) => r.dismissedAt),
      rows.map((r) => r.vote),
      rows.map((r) => r.respondedAt),
    ],
  );
}
