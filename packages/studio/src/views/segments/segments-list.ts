/** <studio-segments>: every segment with its type, size and, for SQL segments, the last refresh. */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { formError } from "../../components/field-error";
import { formatWhen } from "../../components/format";
import type { SegmentView } from "./segment-editor";

export class SegmentsList extends StudioView {
  static override properties = { ...StudioView.properties, rows: { state: true }, problem: { state: true } };
  declare rows: SegmentView[] | null;
  declare problem: unknown;

  override connectedCallback(): void {
    super.connectedCallback();
    this.rows = null;
    this.api.get<{ segments: SegmentView[] }>("/v1/segments").then(
      (r) => {
        this.rows = r.segments;
      },
      (error) => {
        this.problem = error;
        this.rows = [];
      },
    );
  }

  override render(): TemplateResult {
    return html`<div class="view-head"><h1>Segments</h1>
        ${
          this.writable
            ? html`<a class="button primary" href="#/segments/new" @click=${(e: Event) => {
                e.preventDefault();
                this.navigate("/segments/new");
              }}>New segment</a>`
            : nothing
        }</div>
      <p class="lead">Groups of learners a rule can target: uploaded lists, conditions on learners, or a SQL query over the analyst relations.</p>
      ${formError(this.problem)}
      ${
        this.rows === null
          ? html`<p aria-busy="true">Loading segments…</p>`
          : this.rows.length === 0
            ? html`<p>No segments yet.</p>`
            : html`
      <div class="table-scroll" tabindex="0" role="region" aria-label="Segments table"><table>
        <thead><tr><th scope="col">Segment</th><th scope="col">Type</th><th scope="col">Members</th><th scope="col">Last refresh</th></tr></thead>
        <tbody>${this.rows.map(
          (s) => html`<tr>
          <th scope="row"><a href="#/segments/${encodeURIComponent(s.key)}">${s.key}</a><span class="sub">${s.name}</span></th>
          <td>${s.type === "attributes" ? "conditions" : s.type}</td>
          <td>${s.type === "attributes" ? "computed live" : s.memberCount.toLocaleString()}</td>
          <td>${s.type === "sql" ? html`${s.lastRefreshStatus ?? "never"}${s.lastRefreshedAt ? `, ${formatWhen(s.lastRefreshedAt)}` : ""}` : "—"}</td></tr>`,
        )}</tbody></table></div>`
      }`;
  }
}

if (!customElements.get("studio-segments")) customElements.define("studio-segments", SegmentsList);
