-- Analytics views: the contract's figures as plain SQL. The API reads these same views, so direct SQL
-- and the API never disagree. Documented in docs/analytics.md.
CREATE SCHEMA IF NOT EXISTS analytics;

-- One row per delivered message with 0/1 engagement flags.
CREATE VIEW analytics.message_facts AS
SELECT m.id AS message_id, m.learner_id, m.course_id, m.rule_key, m.template_key, m.template_version, m.variant,
       m.segment_key, m.kind::text AS kind, m.assignment->>'policy' AS assignment_policy,
       m.delivered_at, (m.delivered_at AT TIME ZONE 'UTC')::date AS day,
       (m.seen_at IS NOT NULL)::int AS seen,
       (m.clicked_at IS NOT NULL)::int AS clicked,
       (m.dismissed_at IS NOT NULL)::int AS dismissed,
       (m.responded_at IS NOT NULL)::int AS responded,
       (m.vote = 'helpful')::int AS helpful,
       (m.vote = 'not_helpful')::int AS not_helpful,
       (m.clicked_at IS NOT NULL OR m.responded_at IS NOT NULL OR m.vote IS NOT NULL)::int AS engaged
  FROM messages m
 WHERE m.delivered_at IS NOT NULL;

-- Daily rates by template, variant, rule and course.
CREATE VIEW analytics.message_rates_daily AS
SELECT template_key, variant, rule_key, course_id, day,
       count(*) AS delivered, sum(seen) AS seen, sum(clicked) AS clicked, sum(dismissed) AS dismissed,
       sum(responded) AS responded, sum(helpful) AS helpful, sum(not_helpful) AS not_helpful, sum(engaged) AS engaged,
       sum(engaged)::float8 / count(*) AS engagement_rate,
       CASE WHEN sum(helpful) + sum(not_helpful) > 0 THEN sum(helpful)::float8 / (sum(helpful) + sum(not_helpful)) END AS helpful_rate
  FROM analytics.message_facts
 GROUP BY template_key, variant, rule_key, course_id, day;

-- Suppressions and deferrals by reason, rule, course and day.
CREATE VIEW analytics.suppression_counts AS
SELECT reason, outcome, rule_key, course_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS count
  FROM suppressions
 GROUP BY reason, outcome, rule_key, course_id, (created_at AT TIME ZONE 'UTC')::date;
