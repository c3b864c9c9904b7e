/**
 * What a goal prompt or a self-assessment asks of the learner: the longest answer allowed, or the scale and
 * its labels. Nudges and goal reminders ask nothing (no fields).
 */
import { html, nothing, type TemplateResult } from "lit";
import { describedBy, fieldError } from "../../components/field-error";
import type { TemplateDefinition } from "./template-draft";

/** The response fields of the draft's kind. */
export function renderResponseFields(d: TemplateDefinition, readonly: boolean, problem: unknown, onChange: () => void): TemplateResult | typeof nothing {
  const r = d.response;
  if (!r) return nothing;
  const number = (label: string, key: "maxLength" | "min" | "max", value: number) => html`<label>${label}
    <input type="number" step="1" .value=${String(value)} ?readonly=${readonly} aria-describedby=${describedBy(problem, `response.${key}`, `response-${key}-error`) || nothing}
      @input=${(e: Event) => { (r as Record<string, unknown>)[key] = Number((e.target as HTMLInputElement).value); onChange(); }}></label>
    ${fieldError(problem, `response.${key}`, `response-${key}-error`)}`;
  if (r.type === "text") return html`<fieldset><legend>The learner's answer</legend>${number("Longest answer (characters, 1–500)", "maxLength", r.maxLength)}</fieldset>`;
  const labels = Object.entries(r.labels ?? {}).map(([point, label]) => `${point} = ${label}`).join("\n");
  const setLabels = (text: string) => {
    const entries = text.split("\n").map((line) => /^\s*(-?\d+)\s*=\s*(.+?)\s*$/.exec(line)).filter((m): m is RegExpExecArray => m !== null);
    r.labels = entries.length ? Object.fromEntries(entries.map((m) => [m[1], m[2]])) : undefined;
    if (!r.labels) delete r.labels;
    onChange();
  };
  return html`<fieldset class="grid-2"><legend>The learner's rating</legend>
    <div>${number("Lowest point", "min", r.min)}</div><div>${number("Highest point", "max", r.max)}</div>
    <div class="span-2"><label>Labels, one per line as point = label
      <textarea rows="3" .value=${labels} ?readonly=${readonly} aria-describedby=${describedBy(problem, "response.labels", "response-labels-error", "response-labels-hint")} @change=${(e: Event) => setLabels((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <p class="hint" id="response-labels-hint">For example: 1 = Not at all confident</p>${fieldError(problem, "response.labels", "response-labels-error")}</div>
  </fieldset>`;
}
