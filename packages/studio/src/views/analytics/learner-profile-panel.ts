/**
 * The learner's standing beside their timeline: who they are (zone, locale, attributes), where they stand
 * against the policy right now (today's and this week's caps, dismiss streak, backoff), their own say
 * (snooze, opt-outs), and their latest goals and self-assessments.
 */
import { html, nothing } from "lit";
import { formatCount, formatDateTime } from "./format";

export interface LearnerProfile {
  id: string;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  courses: Array<{ courseId: string; lastActivityAt: string; eventCount: number }>;
  goals: Array<{ id: string; courseId: string | null; text: string; createdAt: string }>;
  selfAssessments: Array<{ courseId: string | null; moduleId: string | null; rating: number; scale: { min: number; max: number }; createdAt: string }>;
  messageCounts: Record<string, number>;
  preferences: { snoozedUntil: string | null; optedOutKinds: string[] };
  throttle?: { timezone: string; localDay: string; deliveredToday: number; dayCap: number; deliveredThisWeek: number; weekCap: number; dismissStreak: number; backoffUntil: string | null };
}

const fact = (term: string, value: unknown) => html`<div class="an-fact"><dt>${term}</dt><dd>${value}</dd></div>`;
const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** The profile as a description list. */
export function learnerProfilePanel(p: LearnerProfile) {
  const attributes = Object.entries(p.attributes ?? {});
  const counts = Object.entries(p.messageCounts ?? {}).sort((a, b) => b[1] - a[1]);
  const t = p.throttle;
  const now = Date.now();
  const snoozed = p.preferences.snoozedUntil && Date.parse(p.preferences.snoozedUntil) > now ? p.preferences.snoozedUntil : null;
  return html`
    <section class="an-panel" aria-labelledby="lr-profile">
      <h2 id="lr-profile">${p.name ? html`${p.name} <span class="an-key">(${p.id})</span>` : p.id}</h2>
      <dl class="an-facts an-facts-grid">
        ${fact("Time zone", p.timezone ?? (t ? `not given (the policy's ${t.timezone} is used)` : "not given"))}
        ${fact("Locale", p.locale ?? "not given")}
        ${attributes.length ? fact("Attributes", html`${attributes.map(([k, v], i) => html`${i ? ", " : ""}${k}: ${text(v)}`)}`) : nothing}
        ${p.courses.length ? fact("Courses", html`${p.courses.map((c, i) => html`${i ? "; " : ""}${c.courseId} (${formatCount(c.eventCount)} events, last ${formatDateTime(c.lastActivityAt)})`)}`) : nothing}
        ${fact("Messages", counts.length ? counts.map(([status, n], i) => `${i ? ", " : ""}${formatCount(n)} ${status.replace("_", " ")}`).join("") : "none yet")}
        ${
          t
            ? fact(
                "Against the policy now",
                html`${formatCount(t.deliveredToday)} of ${formatCount(t.dayCap)} today (${t.localDay}, ${t.timezone}); ${formatCount(t.deliveredThisWeek)} of ${formatCount(t.weekCap)} this week;
              ${t.dismissStreak ? `${t.dismissStreak} dismissals in a row` : "no dismiss streak"}${t.backoffUntil ? html`; <strong>backing off until ${formatDateTime(t.backoffUntil)}</strong>` : ""}`,
              )
            : nothing
        }
        ${
          snoozed || p.preferences.optedOutKinds.length
            ? fact(
                "The learner's own say",
                html`${snoozed ? html`snoozed until ${formatDateTime(snoozed)}` : nothing}${snoozed && p.preferences.optedOutKinds.length ? "; " : nothing}${p.preferences.optedOutKinds.length ? `opted out of ${p.preferences.optedOutKinds.join(", ")}` : nothing}`,
              )
            : nothing
        }
        ${p.goals.length ? fact("Latest goal", html`“${p.goals[0].text}” (${formatDateTime(p.goals[0].createdAt)})`) : nothing}
        ${
          p.selfAssessments.length
            ? fact(
                "Latest self-assessment",
                html`${p.selfAssessments[0].rating} on ${p.selfAssessments[0].scale.min}–${p.selfAssessments[0].scale.max}${p.selfAssessments[0].moduleId ? ` for ${p.selfAssessments[0].moduleId}` : ""} (${formatDateTime(p.selfAssessments[0].createdAt)})`,
              )
            : nothing
        }
      </dl>
    </section>`;
}
