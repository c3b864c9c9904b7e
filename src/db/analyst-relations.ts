/**
 * The relations analysts and SQL segments may read (docs/data.md, "What you may read"): these tables of the
 * `public` schema, and every view of the `analytics` schema. The migrations grant exactly these to the segment
 * role (coach_private.grant_segment_reads in prisma/migrations/20261202010000_segment_sandbox); a table added
 * here needs a migration that grants it, and the sandbox refuses to run when the two disagree.
 */
export const ANALYST_TABLES: readonly string[] = Object.freeze([
  "learners",
  "learner_course_state",
  "events",
  "goals",
  "self_assessments",
  "insights",
  "segment_members",
  "messages",
  "feedback",
  "suppressions",
  // The originals of xAPI statements, Caliper events and Segment calls (20261202050000_standards grants it).
  "event_sources",
]);

/** Every relation (and function) of this schema is part of the analysts' documented interface. */
export const ANALYST_SCHEMA = "analytics";
