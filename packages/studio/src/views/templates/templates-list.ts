/** <studio-templates>: every template with its published and latest version; each key opens the editor. */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { formError } from "../../components/field-error";
import { formatWhen } from "../../components/format";

interface TemplateRow {
  key: string;
  name: string;
  kind: string;
  latestVersion: number;
  publishedVersion: number | null;
  updatedAt: string;
}

export class TemplatesList extends StudioView {
  static override properties = { ...StudioView.properties, rows: { state: true }, problem: { state: true } };
  declare rows: TemplateRow[] | null;
  declare problem: unknown;

  override connectedCallback(): void {
    super.connectedCallback();
    this.rows = null;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.rows = (await this.api.get<{ templates: TemplateRow[] }>("/v1/templates")).templates;
    } catch (error) {
      this.problem = error;
      this.rows = [];
    }
  }

  override render(): TemplateResult {
    return html`<div class="view-head">
        <h1>Templates</h1>
        ${this.writable ? html`<a class="button primary" href="#/templates/new" @click=${(e: Event) => { e.preventDefault(); this.navigate("/templates/new"); }}>New template</a>` : nothing}
      </div>
      <p class="lead">The messages learners receive. Every save is a new version; rules send the published one.</p>
      ${formError(this.problem)}
      ${this.rows === null ? html`<p aria-busy="true">Loading templates…</p>` : this.rows.length === 0 ? html`<p>No templates yet.</p>` : html`
      <div class="table-scroll" tabindex="0" role="region" aria-label="Templates table">
        <table>
          <thead><tr><th scope="col">Template</th><th scope="col">Kind</th><th scope="col">Published</th><th scope="col">Latest</th><th scope="col">Updated</th></tr></thead>
          <tbody>${this.rows.map((t) => html`<tr>
            <th scope="row"><a href="#/templates/${encodeURIComponent(t.key)}">${t.key}</a><span class="sub">${t.name}</span></th>
            <td>${t.kind.replace("_", " ")}</td>
            <td>${t.publishedVersion === null ? "not published" : `v${t.publishedVersion}`}</td>
            <td>v${t.latestVersion}${t.publishedVersion !== null && t.latestVersion > t.publishedVersion ? html` <span class="badge">unpublished changes</span>` : nothing}</td>
            <td>${formatWhen(t.updatedAt)}</td>
          </tr>`)}</tbody>
        </table>
      </div>`}`;
  }
}

if (!customElements.get("studio-templates")) customElements.define("studio-templates", TemplatesList);
