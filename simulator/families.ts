/**
 * Population families: the simulator's learners are not one population but several, so that a knob chosen on
 * one of them (the tuning family) is judged on others it was not chosen on. They differ in what a learning loop
 * is sensitive to — how helpful nudges are at all, how much the two variants differ (including not at all, and
 * the other way round), how many learners are disengaged, and where learners live (quiet hours and local days
 * move with the time zone). Every number here is fixed before a run; docs/learning-loop.md lists them.
 */

/** A Beta distribution's parameters. */
export interface BetaParams {
  a: number;
  b: number;
}

export interface Family {
  name: string;
  /** One line for the report. */
  summary: string;
  /** Share of averse learners: nudges are mostly unhelpful to them. */
  averseShare: number;
  /** Share of disengaged learners: they rarely study, rarely look, rarely vote. */
  disengagedShare: number;
  /** helpful | vote, before the variant effect, per learner type. */
  helpful: { receptive: BetaParams; averse: BetaParams };
  /** Variant B's helpful rate minus variant A's, per learner (A gets −effect/2, B +effect/2, clipped). */
  effect: number;
  /** A delivered nudge multiplies the daily chance of completing a module by this for BOOST_DAYS (1: no effect). */
  boost: number;
  /** Learners' time zones, drawn uniformly. */
  timezones: string[];
}

/** The family every knob is chosen on (`npm run simulate -- --tune`); the others only report. */
export const TUNING_FAMILY = "steady";

export const FAMILIES: Family[] = [
  {
    name: "steady",
    summary: "B 10 points more helpful, a quarter averse, few disengaged, six zones around the world; a nudge ×1.4 on completing",
    averseShare: 0.25,
    disengagedShare: 0.1,
    helpful: { receptive: { a: 16, b: 4 }, averse: { a: 1, b: 9 } },
    effect: 0.1,
    boost: 1.4,
    timezones: ["America/New_York", "Europe/Paris", "Asia/Kolkata", "America/Sao_Paulo", "Australia/Sydney", "UTC"],
  },
  {
    name: "flat",
    summary: "no difference between variants, nudges only middling (~50% helpful), a third averse, 30% disengaged, the Americas; no effect on completing",
    averseShare: 0.35,
    disengagedShare: 0.3,
    helpful: { receptive: { a: 7, b: 4 }, averse: { a: 1, b: 6 } },
    effect: 0,
    boost: 1,
    timezones: ["America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City"],
  },
  {
    name: "reversed",
    summary: "B 6 points LESS helpful (A is best), nudges well liked, 15% averse, 5% disengaged, Asia and the Pacific; a nudge ×1.2 on completing",
    averseShare: 0.15,
    disengagedShare: 0.05,
    helpful: { receptive: { a: 18, b: 3 }, averse: { a: 2, b: 10 } },
    effect: -0.06,
    boost: 1.2,
    timezones: ["Asia/Tokyo", "Asia/Kolkata", "Asia/Singapore", "Australia/Sydney", "Pacific/Auckland"],
  },
];

/** The family of this name; throws for an unknown one (a typo on the command line). */
export function familyNamed(name: string): Family {
  const family = FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`Unknown population family ${name} (known: ${FAMILIES.map((f) => f.name).join(", ")})`);
  return family;
}
