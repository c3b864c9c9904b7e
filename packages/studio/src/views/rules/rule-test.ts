/**
 * <studio-rule-test>: "would this rule fire for event X, and what would the throttle say now?" Pick one of the
 * latest stored events of the rule's type (or paste an event id) and read the answer step by step: trigger,
 * each condition with the value it read, segment, template and variant, throttle.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { ApiProblem, type StudioApi } from "../../api";
import { formError } from "../../components/field-error";
import { formatValue, formatWhen } from "../../components/format";

interface StoredEvent {
  id: string;
  type: string;
  learnerId: string;
  courseId: string | null;
  occurredAt: string;
  properties: Record<string, unknown>;
}

interface TestResult {
  wouldFire: boolean;
  summary: string;
  event: StoredEvent;
  trigger: { passed: boolean; reason: string | null };
  conditions: { passed: boolean; leaves: Array<{ field: string; op: string; value?: unknown; actual?: unknown; passed: boolean }> } | null;
  segment: { key: string; member: boolean } | null;
  decision:
    | {
        outcome: "send";
        dueAt: string;
        templateKey: string;
        templateVersion: number;
        variant: string;
        heldOut: boolean;
        deferral: { reason: string; until: string; details: { explanation?: string } } | null;
      }
    | { outcome: "skip"; reason: string; details: { explanation?: string } }
    | null;
}

export class RuleTest extends LitElement {
  static override properties = {
    api: { attribute: false },
    ruleKey: { attribute: false },
    eventType: { attribute: false },
    courseId: { attribute: false },
    events: { state: true },
    eventId: { state: true },
    result: { state: true },
    problem: { state: true },
    busy: { state: true },
  };

  declare api: StudioApi;
  declare ruleKey: string;
  declare eventType: string;
  declare courseId: string | null;
  declare events: StoredEvent[];
  declare eventId: string;
  declare result: TestResult | null;
  declare problem: unknown;
  declare busy: boolean;

  constructor() {
    super();
    Object.assign(this, { events: [], eventId: "", result: null, problem: null, busy: false, courseId: null });
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("eventType") || changed.has("courseId")) void this.loadEvents();
  }

  private async loadEvents(): Promise<void> {
    const query = new URLSearchParams({ type: this.eventType, limit: "20", ...(this.courseId ? { courseId: this.courseId } : {}) });
    this.events = (await this.api.get<{ events: StoredEvent[] }>(`/v1/events?${query}`).catch(() => ({ events: [] }))).events;
    if (!this.eventId && this.events[0]) this.eventId = this.events[0].id;
  }

  private async run(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = null;
    try {
      this.result = await this.api.send<TestResult>("POST", `/v1/rules/${encodeURIComponent(this.ruleKey)}/test-match`, { eventId: this.eventId.trim() });
      await this.updateComplete;
      this.querySelector<HTMLElement>("#test-summary")?.focus();
    } catch (error) {
      this.problem = error;
      this.result = null;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    const idError = this.problem instanceof ApiProblem ? this.problem.fieldMessage("eventId") : undefined;
    return html`<section class="card" aria-labelledby="test-heading">
      <h2 id="test-heading">Test against a stored event</h2>
      <p class="hint">Would this rule fire for the event, and what would the throttle say now? Nothing is sent or recorded.</p>
      <form class="row" @submit=${(e: Event) => {
        e.preventDefault();
        void this.run();
      }}>
        <div class="field grow"><label for="test-event">Event (latest ${this.eventType} events${this.courseId ? ` in ${this.courseId}` : ""}, or paste an id)</label>
          <input id="test-event" list="test-events" .value=${this.eventId} spellcheck="false" aria-invalid=${idError ? "true" : "false"} aria-describedby=${idError ? "test-event-error" : nothing}
            @input=${(e: Event) => {
              this.eventId = (e.target as HTMLInputElement).value;
            }}>
          <datalist id="test-events">${this.events.map((ev) => html`<option value=${ev.id}>${ev.learnerId} · ${formatWhen(ev.occurredAt)} · ${JSON.stringify(ev.properties).slice(0, 60)}</option>`)}</datalist>
          ${idError ? html`<p class="field-error" id="test-event-error">${idError}</p>` : nothing}
          ${this.events.length === 0 ? html`<p class="hint">No stored ${this.eventType} event yet${this.courseId ? ` in ${this.courseId}` : ""}.</p>` : nothing}
        </div>
        <button type="submit" class="primary" ?disabled=${this.busy || !this.eventId.trim()}>${this.busy ? "Testing…" : "Test the rule"}</button>
      </form>
      ${idError ? nothing : formError(this.problem)}
      ${this.result ? this.renderResult(this.result) : nothing}
    </section>`;
  }

  private renderResult(r: TestResult): TemplateResult {
    const d = r.decision;
    return html`<div class="test-result ${r.wouldFire ? "fires" : "no-fire"}">
      <p id="test-summary" tabindex="-1" class="summary"><strong>${r.wouldFire ? "Would fire." : "Would not fire."}</strong> ${r.summary}</p>
      <p class="sub">Event <code>${r.event.id}</code> (${r.event.type}) of learner <a href="#/learners/${encodeURIComponent(r.event.learnerId)}">${r.event.learnerId}</a>, ${formatWhen(r.event.occurredAt)}</p>
      <ol class="steps">
        <li>${mark(r.trigger.passed)} Trigger: ${r.trigger.passed ? "the event type and course match" : r.trigger.reason}</li>
        <li>${
          r.conditions === null
            ? html`${mark(true)} Conditions: none`
            : html`${mark(r.conditions.passed)} Conditions ${r.conditions.passed ? "hold" : "do not hold"}:
          <ul>${r.conditions.leaves.map((l) => html`<li>${mark(l.passed)} <code>${l.field}</code> ${l.op} ${l.value === undefined ? "" : formatValue(l.value)}: the event has ${formatValue(l.actual)}</li>`)}</ul>`
        }</li>
        <li>${r.segment === null ? html`${mark(true)} Segment: everyone` : html`${mark(r.segment.member)} Segment <code>${r.segment.key}</code>: the learner is ${r.segment.member ? "a member" : "not a member"}`}</li>
        <li>${
          d === null
            ? ""
            : d.outcome === "skip"
              ? html`${mark(false)} Now: ${d.reason}${d.details.explanation ? html`: ${d.details.explanation}` : nothing}`
              : html`${mark(!d.heldOut)} Now: variant ${d.variant} of ${d.templateKey} v${d.templateVersion}${d.heldOut ? ", but the learner is in the holdout (recorded, not sent)" : ""}${d.deferral ? html`, deferred until ${formatWhen(d.deferral.until)} (${d.deferral.reason}${d.deferral.details.explanation ? `: ${d.deferral.details.explanation}` : ""})` : ", sent at once"}`
        }</li>
      </ol>
    </div>`;
  }
}

function mark(ok: boolean): TemplateResult {
  return html`<span class=${ok ? "yes" : "no"}>${ok ? "✓ yes" : "✗ no"}</span>`;
}

if (!customElements.get("studio-rule-test")) customElements.define("studio-rule-test", RuleTest);
