/** <studio-rules>: every rule, highest priority first: what fires it, what it sends, to whom. */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { formError } from "../../components/field-error";
import type { RuleView } from "./rule-draft";

export class RulesList extends StudioView {
  static override properties = { ...StudioView.properties, rows: { state: true }, problem: { state: true } };
  declare rows: RuleView[] | null;
  declare problem: unknown;

  override connectedCallback(): void {
    super.connectedCallback();
    this.rows = null;
    this.api.get<{ rules: RuleView[] }>("/v1/rules").then(
      (r) => {
        this.rows = r.rules;
      },
      (error) => {
        this.problem = error;
        this.rows = [];
      },
    );
  }

  override render(): TemplateResult {
    return html`<div class="view-head"><h1>Rules</h1>
        ${
          this.writable
            ? html`<a class="button primary" href="#/rules/new" @click=${(e: Event) => {
                e.preventDefault();
                this.navigate("/rules/new");
              }}>New rule</a>`
            : nothing
        }</div>
      <p class="lead">When to send which template to whom. Of the rules an event matches, the highest priority the throttle allows is sent.</p>
      ${formError(this.problem)}
      ${
        this.rows === null
          ? html`<p aria-busy="true">Loading rules…</p>`
          : this.rows.length === 0
            ? html`<p>No rules yet.</p>`
            : html`
      <div class="table-scroll" tabindex="0" role="region" aria-label="Rules table"><table>
        <thead><tr><th scope="col">Rule</th><th scope="col">Fires on</th><th scope="col">Sends</th><th scope="col">Segment</th><th scope="col">Priority</th><th scope="col">State</th></tr></thead>
        <tbody>${this.rows.map((r) => {
          const t = r.trigger as { eventType?: string; courseId?: string | null; inactiveDays?: number; where?: unknown };
          return html`<tr>
            <th scope="row"><a href="#/rules/${encodeURIComponent(r.key)}">${r.key}</a><span class="sub">${r.name}</span></th>
            <td>${t.eventType ? html`<code>${t.eventType}</code>${t.where ? " with conditions" : ""}` : `${t.inactiveDays} days inactive`}${t.courseId ? ` in ${t.courseId}` : ""}</td>
            <td><a href="#/templates/${encodeURIComponent(r.templateKey)}">${r.templateKey}</a>${r.experiment ? html` <span class="badge">experiment</span>` : nothing}</td>
            <td>${r.segmentKey ?? "everyone"}</td><td>${r.priority}</td>
            <td>${r.enabled ? "enabled" : html`<span class="badge warn">disabled</span>`}</td></tr>`;
        })}</tbody></table></div>`
      }`;
  }
}

if (!customElements.get("studio-rules")) customElements.define("studio-rules", RulesList);
