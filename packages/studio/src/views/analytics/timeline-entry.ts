/**
 * One entry of a learner's timeline in words: what happened, to which rule and message, and for every
 * decision not to send (held out, suppressed, deferred, failed) the reason in words with its numbers.
 */
import { html, nothing, type TemplateResult } from "lit";
import { formatDateTime, formatTimeIn, viewerTimeZone } from "./format";

export interface TimelineEntry {
  id: string;
  type: "event" | "matched" | "held_out" | "suppressed" | "deferred" | "delivered" | "failed" | "feedback" | "goal" | "self_assessment";
  at: string;
  courseId: string | null;
  ruleKey: string | null;
  messageId: string | null;
  eventId: string | null;
  eventType: string | null;
  reason?: string;
  reasonText?: string;
  explanation?: string;
  until?: string;
  title?: string | null;
  variant?: string | null;
  status?: string;
  kind?: string;
  moduleId?: string | null;
  properties?: Record<string, unknown>;
  feedback?: string;
  value?: unknown;
  text?: string;
  rating?: number;
  scaleMin?: number;
  scaleMax?: number;
}

/** The filter groups offered on the page, and the entry kinds each stands for. */
export const TIMELINE_FILTERS = [
  { key: "decisions", label: "Decisions (matched, held out, suppressed, deferred, delivered, failed)", types: ["matched", "held_out", "suppressed", "deferred", "delivered", "failed"] },
  { key: "events", label: "Events", types: ["event"] },
  { key: "feedback", label: "Feedback", types: ["feedback"] },
  { key: "goals", label: "Goals and self-assessments", types: ["goal", "self_assessment"] },
] as const;

const LABEL: Record<TimelineEntry["type"], string> = {
  event: "Event",
  matched: "Matched",
  held_out: "Held out",
  suppressed: "Not sent",
  deferred: "Deferred",
  delivered: "Delivered",
  failed: "Failed",
  feedback: "Feedback",
  goal: "Goal",
  self_assessment: "Self-assessment",
};

const STATUS: Record<string, string> = {
  scheduled: "waiting to be sent",
  delivered: "in the inbox",
  dismissed: "dismissed by the learner",
  expired: "expired",
  failed: "failed",
  suppressed: "not sent",
  held_out: "held out",
};

const FEEDBACK: Record<string, string> = {
  seen: "Saw",
  clicked: "Clicked the call to action of",
  dismissed: "Dismissed",
  helpful: "Voted helpful on",
  not_helpful: "Voted not helpful on",
  response: "Answered",
};

/** Whether an entry is a decision not to send (what "why didn't they get it?" looks for). */
export function isRefusal(entry: TimelineEntry): boolean {
  return entry.type === "held_out" || entry.type === "suppressed" || entry.type === "deferred" || entry.type === "failed";
}

const rule = (e: TimelineEntry) => (e.ruleKey ? html`rule <code>${e.ruleKey}</code>` : "a rule");
const titled = (e: TimelineEntry) => (e.title ? html` “${e.title}”` : nothing);
const variant = (e: TimelineEntry) => (e.variant ? html`, variant ${e.variant}` : nothing);
const after = (e: TimelineEntry) => (e.eventType ? html` after <code>${e.eventType}</code>` : nothing);

function compact(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text && text.length > 160 ? `${text.slice(0, 159)}…` : (text ?? "");
}

function what(e: TimelineEntry): TemplateResult {
  switch (e.type) {
    case "event": {
      const props = e.properties && Object.keys(e.properties).length ? compact(e.properties) : "";
      return html`<code>${e.eventType}</code>${e.moduleId ? html` in module ${e.moduleId}` : nothing}${props ? html` <span class="tl-props">${props}</span>` : nothing}`;
    }
    case "matched":
      return html`${rule(e)} matched${after(e)}: message${titled(e)}${variant(e)}, now ${STATUS[e.status ?? ""] ?? e.status ?? "recorded"}`;
    case "delivered":
      return html`${!e.title ? "A message" : html`Message${titled(e)}`} from ${rule(e)}${variant(e)}`;
    case "held_out":
    case "suppressed":
    case "failed":
      return html`${rule(e)}${after(e)}${!e.title ? nothing : html`, message${titled(e)}`}`;
    case "deferred":
      return html`${rule(e)}${after(e)}${e.until ? html`, until ${formatDateTime(e.until)}` : nothing}`;
    case "feedback":
      return html`${FEEDBACK[e.feedback ?? ""] ?? e.feedback}${!e.title ? " a message" : titled(e)}${e.value !== undefined && e.value !== null ? html`: ${compact(e.value)}` : nothing}`;
    case "goal":
      return html`“${e.text ?? ""}”`;
    case "self_assessment":
      return html`${e.rating} on a ${e.scaleMin}–${e.scaleMax} scale${e.moduleId ? html` for module ${e.moduleId}` : nothing}`;
  }
}

/** The list item for an entry; `learnerZone` adds the learner's own clock when it differs from the viewer's. */
export function timelineItem(e: TimelineEntry, learnerZone: string | null = null): TemplateResult {
  const theirs = learnerZone && learnerZone !== viewerTimeZone() ? formatTimeIn(e.at, learnerZone) : "";
  return html`
    <li class=${`tl-entry tl-${e.type}${isRefusal(e) ? " tl-refusal" : ""}`}>
      <time datetime=${e.at}>${formatDateTime(e.at)}</time>${theirs ? html` <span class="tl-their-time">(${theirs} for the learner, ${learnerZone})</span>` : nothing}
      <p class="tl-what"><span class="tl-label">${LABEL[e.type]}</span> ${what(e)}${e.courseId ? html` <span class="tl-course">(course ${e.courseId})</span>` : nothing}</p>
      ${e.reasonText ? html`<p class="tl-why"><strong>Why:</strong> ${e.reasonText}${e.explanation ? html` — ${e.explanation}` : nothing} <span class="tl-code">(${e.reason})</span></p>` : nothing}
    </li>`;
}
