-- The learning loop: pausable-and-resumable variants, holdout settings, the helpfulness gate's message
-- priors, and the analytics views for experiments and holdout lift. Documented in docs/learning-loop.md.

-- A pause row now survives an unpause, so auto-pause can count only the votes since staff resumed a variant.
ALTER TABLE variant_pauses ADD COLUMN unpaused_at timestamptz(3), ADD COLUMN unpaused_by text;

-- {share, followUp: {eventType, withinDays}}; holdout_share stays the denormalized share matching reads.
ALTER TABLE rules ADD COLUMN holdout jsonb;

-- Settled outcome counts per (template, variant), recomputed by the gate-model job.
CREATE TABLE gate_priors (
  template_key   text NOT NULL,
  variant        text NOT NULL,
  helpful        integer NOT NULL,
  not_helpful    integer NOT NULL,
  no_interaction integer NOT NULL,
  refreshed_at   timestamptz(3) NOT NULL,
  CONSTRAINT gate_priors_pkey PRIMARY KEY (template_key, variant)
);

-- Per rule, template and variant: every assignment the rule made (held-out slots excluded) and the
-- outcomes of those delivered. `expected_split` is what the split meant this variant to get: the sum over
-- the rule's split assignments of the variant's share at assignment time (recorded on each message), so
-- the sample-ratio check stays right when weights change or a variant is paused.
CREATE VIEW analytics.experiment_results AS
WITH assigned AS (
  SELECT m.rule_key, m.template_key, m.variant,
         count(*) AS assigned,
         count(*) FILTER (WHERE m.assignment->>'policy' = 'split') AS assigned_split,
         count(*) FILTER (WHERE m.assignment->>'policy' = 'bandit') AS assigned_bandit,
         count(m.delivered_at) AS delivered,
         count(*) FILTER (WHERE m.delivered_at IS NOT NULL AND (m.clicked_at IS NOT NULL OR m.responded_at IS NOT NULL OR m.vote IS NOT NULL)) AS engaged,
         count(*) FILTER (WHERE m.delivered_at IS NOT NULL AND m.vote = 'helpful') AS helpful,
         count(*) FILTER (WHERE m.delivered_at IS NOT NULL AND m.vote = 'not_helpful') AS not_helpful
    FROM messages m
   WHERE m.status <> 'held_out'
   GROUP BY m.rule_key, m.template_key, m.variant
), expected AS (
  SELECT m.rule_key, m.template_key, s.key AS variant, sum(s.value::float8) AS expected_split
    FROM messages m CROSS JOIN LATERAL jsonb_each_text(m.assignment->'shares') s
   WHERE m.status <> 'held_out' AND m.assignment->>'policy' = 'split'
   GROUP BY m.rule_key, m.template_key, s.key
)
SELECT COALESCE(a.rule_key, e.rule_key) AS rule_key, COALESCE(a.template_key, e.template_key) AS template_key,
       COALESCE(a.variant, e.variant) AS variant,
       COALESCE(a.assigned, 0) AS assigned, COALESCE(a.assigned_split, 0) AS assigned_split, COALESCE(e.expected_split, 0) AS expected_split,
       COALESCE(a.assigned_bandit, 0) AS assigned_bandit, COALESCE(a.delivered, 0) AS delivered, COALESCE(a.engaged, 0) AS engaged,
       COALESCE(a.helpful, 0) AS helpful, COALESCE(a.not_helpful, 0) AS not_helpful
  FROM assigned a FULL JOIN expected e USING (rule_key, template_key, variant);

-- Each learner's first exposure to a rule with a holdout: 'sent' (assigned a message, intention to treat)
-- or 'held_out' (would have been sent, deliberately was not), at the time the message was due.
CREATE VIEW analytics.holdout_exposures AS
SELECT DISTINCT ON (m.rule_key, m.learner_id)
       m.rule_key, m.learner_id, m.course_id,
       CASE WHEN m.status = 'held_out' THEN 'held_out' ELSE 'sent' END AS arm,
       m.due_at AS exposed_at, m.id AS message_id
  FROM messages m
 WHERE m.rule_key IN (SELECT key FROM rules WHERE holdout_share > 0)
    OR m.status = 'held_out'
 ORDER BY m.rule_key, m.learner_id, m.due_at, m.id;

-- Per arm: learners exposed whose follow-up window had closed by `as_of`, and how many of them did the
-- follow-up event (same course when the exposure had one) within `within_days` after exposure.
CREATE FUNCTION analytics.holdout_lift(p_rule_key text, p_event_type text, p_within_days integer, p_as_of timestamptz DEFAULT now())
RETURNS TABLE (arm text, learners bigint, converted bigint)
LANGUAGE sql STABLE AS $$
  SELECT x.arm, count(*) AS learners,
         count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM events e
            WHERE e.learner_id = x.learner_id AND e.type = p_event_type
              AND (x.course_id IS NULL OR e.course_id = x.course_id)
              AND e.occurred_at > x.exposed_at AND e.occurred_at <= x.exposed_at + make_interval(days => p_within_days))) AS converted
    FROM analytics.holdout_exposures x
   WHERE x.rule_key = p_rule_key AND x.exposed_at + make_interval(days => p_within_days) <= p_as_of
   GROUP BY x.arm
$$;
