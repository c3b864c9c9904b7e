/**
 * <studio-mappings> (#/mappings): how xAPI verbs, Caliper events and Segment names become event types, as the
 * JSON GET /v1/mappings gives it (editable for authors: PUT writes the whole list back, saving only what differs
 * from the shipped defaults), and what arrived with no mapping, most frequent first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { ApiProblem } from "../../api";
import { StudioView } from "../studio-view";
import { formError } from "../../components/field-error";
import { formatWhen } from "../../components/format";
import "../../components/code-editor";
import { markUnsaved } from "../../shell/unsaved-changes";

interface Unmapped {
  format: string;
  kind: Record<string, unknown>;
  count: number;
  lastSeenAt?: string;
}

export class MappingsView extends StudioView {
  static override properties = {
    ...StudioView.properties,
    text: { state: true },
    saved: { state: true },
    parseError: { state: true },
    busy: { state: true },
    problem: { state: true },
    status: { state: true },
    unmapped: { state: true },
  };
  declare text: string;
  declare saved: string;
  declare parseError: string;
  declare busy: boolean;
  declare problem: unknown;
  declare status: string;
  declare unmapped: Unmapped[] | null;

  override connectedCallback(): void {
    super.connectedCallback();
    Object.assign(this, { text: "", saved: "", parseError: "", busy: false, problem: null, status: "", unmapped: null });
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    markUnsaved("mappings", false);
  }

  private async load(): Promise<void> {
    try {
      const [all, unmapped] = await Promise.all([
        this.api.get<{ mappings: unknown[] }>("/v1/mappings"),
        this.api.get<{ unmapped: Unmapped[] }>("/v1/mappings/unmapped?limit=50").catch(() => ({ unmapped: [] })),
      ]);
      this.text = this.saved = JSON.stringify({ mappings: all.mappings }, null, 2);
      this.unmapped = unmapped.unmapped;
      markUnsaved("mappings", false);
    } catch (error) {
      this.problem = error;
    }
  }

  private edit(text: string): void {
    this.text = text;
    markUnsaved("mappings", text !== this.saved);
    try {
      JSON.parse(text);
      this.parseError = "";
    } catch (error) {
      this.parseError = `The JSON does not parse: ${(error as Error).message}`;
    }
  }

  override render(): TemplateResult {
    const errors = this.problem instanceof ApiProblem ? this.problem.errors : [];
    return html`<h1>Mappings</h1>
      <p class="lead">How learning-record standards become events: xAPI verbs and object types, Caliper types and actions, and Segment event names, each to an event type and its fields. Entries with <code>"origin": "builtin"</code> are shipped; edit one to override it, or set <code>"enabled": false</code>.</p>
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      ${
        this.saved === "" && !this.problem
          ? html`<p aria-busy="true">Loading…</p>`
          : html`
      <form class="card" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        void this.save();
      }}>
        <p class="hint" id="mappings-hint">The whole list as JSON. Saving writes it back; entries identical to the shipped ones are not stored.</p>
        <studio-code-editor .language=${"json"} .label=${"Mappings as JSON"} .value=${this.text} .readonly=${!this.writable}
          .describedBy=${this.parseError || errors.length ? "mappings-hint mappings-error" : "mappings-hint"} @editor-input=${(e: CustomEvent<string>) => this.edit(e.detail)}></studio-code-editor>
        ${this.parseError || errors.length ? html`<div class="field-error" id="mappings-error">${this.parseError || html`<ul>${errors.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>`}</div>` : nothing}
        ${this.writable ? html`<div class="actions"><button type="submit" class="primary" ?disabled=${this.busy || Boolean(this.parseError) || this.text === this.saved}>${this.busy ? "Saving…" : "Save the mappings"}</button></div>` : nothing}
      </form>`
      }
      <section class="card" aria-labelledby="unmapped-heading">
        <h2 id="unmapped-heading">Arrived without a mapping</h2>
        ${
          this.unmapped === null
            ? html`<p aria-busy="true">Loading…</p>`
            : this.unmapped.length === 0
              ? html`<p>Everything that arrived had a mapping.</p>`
              : html`
        <div class="table-scroll" tabindex="0" role="region" aria-label="Unmapped records"><table>
          <thead><tr><th scope="col">Standard</th><th scope="col">What</th><th scope="col">Count</th><th scope="col">Last seen</th></tr></thead>
          <tbody>${this.unmapped.map((u) => html`<tr><td>${u.format}</td><td><code>${JSON.stringify(u.kind)}</code></td><td>${u.count.toLocaleString()}</td><td>${formatWhen(u.lastSeenAt)}</td></tr>`)}</tbody>
        </table></div>`
        }
      </section>`;
  }

  private async save(): Promise<void> {
    if (this.busy || this.parseError) return;
    this.busy = true;
    this.problem = null;
    try {
      const answer = await this.api.send<{ mappings: unknown[] }>("PUT", "/v1/mappings", JSON.parse(this.text));
      this.text = this.saved = JSON.stringify({ mappings: answer.mappings }, null, 2);
      markUnsaved("mappings", false);
      this.status = "Saved: new statements and events are mapped with it.";
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get("studio-mappings")) customElements.define("studio-mappings", MappingsView);
